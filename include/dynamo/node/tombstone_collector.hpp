#pragma once
// TombstoneCollector: removes tombstones that nobody can contradict any more. A delete leaves a
// tombstone so that an older copy, met later, loses to it; once every member of the ring has
// seen the tombstone (or nothing) for the key and none keeps a hint for it, no older copy is
// left to come back, and the key's home replicas may drop it.
//
// The key's first home replica collects: it notes its tombstones as candidates (note(), told of
// every change of a stored key), and each sweep() asks every member about up to Options::batch
// candidates older than Options::grace, once the ring has been steady for that grace period too
// (while it changes, a node handing off may hold an old version the members do not know of).
// When every member agreed, it sends the home replicas a Purge and drops its own copy. A member
// that disagrees ends the check, and one that stays silent lets it expire; either way the
// tombstone stays, for a later sweep.
//
// Sans-I/O: everything it does to the world goes through its owner's TombstoneContext.
// Thread safety: none; its owner calls it from one executor.

#include <algorithm>
#include <cassert>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamo/core/siblings.hpp"
#include "dynamo/log_record.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/node/one_shot_timers.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo {

// What TombstoneCollector needs from its owner. No call may call back into the component.
//  - schedule / cancel: one-shot timers (the checks' deadlines); now(): the node's clock;
//    wall_clock_ms(): the clock version timestamps are taken from.
//  - send(peer, message): one message to a peer.
//  - ring_stable(): no membership change is under way; ring_changed_at(): when this node last
//    took a new ring (now() - grace at start-up).
//  - members(): every member of the ring; home_replicas(key): the key's home replicas in the
//    current layout, in order (the first is its collector); is_self(node).
//  - holds_hint_for(key): this node keeps a hint for the key, for any of its replicas.
//  - stored(key) / erase(key, stored): this node's copy of the key; erase REQUIRES `stored` is
//    what it stores. for_each_stored(f): f(key, siblings) for every stored key.
//  - unmatched(): an answer matched no check in flight; log(...): one log record.
template <class C>
concept TombstoneContext =
    OneShotTimers<C> &&
    requires(C& c, const C& cc, const std::string& node, const wire::Message& message,
             std::string_view key, const Siblings& siblings,
             std::function<void(std::string_view, const Siblings&)> visit, std::string text,
             std::vector<LogField> fields) {
      { cc.now() } -> std::same_as<std::chrono::milliseconds>;
      { cc.wall_clock_ms() } -> std::same_as<std::uint64_t>;
      c.send(node, message);
      { cc.ring_stable() } -> std::convertible_to<bool>;
      { cc.ring_changed_at() } -> std::same_as<std::chrono::milliseconds>;
      { cc.members() } -> std::convertible_to<const std::vector<std::string>&>;
      { cc.home_replicas(key) } -> std::same_as<std::vector<std::string>>;
      { cc.is_self(node) } -> std::convertible_to<bool>;
      { cc.holds_hint_for(key) } -> std::convertible_to<bool>;
      { cc.stored(key) } -> std::same_as<std::optional<Siblings>>;
      c.erase(key, siblings);
      cc.for_each_stored(std::move(visit));
      c.unmatched();
      c.log(LogLevel::debug, key, std::move(text), std::move(fields));
    };

template <TombstoneContext C>
class TombstoneCollector {
 public:
  struct Options {
    std::chrono::milliseconds grace{0};     // a tombstone, and a ring, this old may be collected
    std::uint32_t batch = 64;               // checks started per sweep
    std::chrono::milliseconds deadline{0};  // a check unanswered by then expires
  };

  // REQUIRES: options.batch >= 1, options.deadline > 0.
  TombstoneCollector(C& context, RequestIds& ids, Options options)
      : context_(context),
        ids_(ids),
        options_(options),
        checks_(context, ids, RequestKind::tombstone_check,
                [this](std::uint64_t id) { checks_.take(id); }) {
    assert(options_.batch >= 1 && options_.deadline.count() > 0);
  }
  TombstoneCollector(const TombstoneCollector&) = delete;
  TombstoneCollector& operator=(const TombstoneCollector&) = delete;

  // `key` now stores `stored`: a candidate when it is a tombstone and this node its collector.
  void note(std::string_view key, const Siblings& stored);
  // Forgets every candidate and notes every stored key again: the ring changed, and with it
  // which keys this node collects.
  void rescan();
  // The periodic job: drops candidates no longer tombstones and starts checks of old ones.
  void sweep();

  // A member's side: what this node stores for the key, and whether it holds a hint for it.
  void on_check(const std::string& from, const wire::TombstoneCheck& m);
  // The collector's side: `from` answered check `id`. An answer no check waits for counts as
  // unmatched.
  void on_check_reply(std::uint64_t id, const std::string& from,
                      const wire::TombstoneCheckReply& reply);
  // A home replica's side: drops the tombstone if it is still exactly what was checked.
  void on_purge(const wire::Purge& m);

  bool candidate(std::string_view key) const { return candidates_.contains(key); }
  std::size_t candidates() const { return candidates_.size(); }
  // Checks in flight.
  std::size_t size() const { return checks_.size(); }
  // Forgets every check in flight and cancels its deadline (the node stops). Candidates stay.
  void clear() { checks_.clear(); }

  // Throws std::logic_error unless each check holds a live deadline (`live(timer)`), still
  // waits for a member, and checks a tombstone.
  template <class Live>
  void check_invariants(Live live) const {
    checks_.check_invariants("tombstone check", live);
    checks_.for_each([](std::uint64_t id, const CheckOp& op) {
      if (op.waiting.empty()) {
        throw std::logic_error("tombstone check " + std::to_string(id) +
                               ": every member answered but it is not finished");
      }
      if (op.expected.has_live_value()) {
        throw std::logic_error("tombstone check " + std::to_string(id) +
                               ": only tombstones are checked for collection");
      }
    });
  }

 private:
  struct CheckOp {
    Key key;
    Siblings expected;
    std::set<std::string> waiting;
  };

  void start_check(const Key& key, const Siblings& expected);
  void collect(std::uint64_t id);

  C& context_;
  RequestIds& ids_;  // for the Purges, which nothing waits on
  Options options_;
  std::set<Key, std::less<>> candidates_;
  InFlight<C, CheckOp> checks_;
};

template <TombstoneContext C>
void TombstoneCollector<C>::note(std::string_view key, const Siblings& stored) {
  if (stored.has_live_value() || stored.empty()) return;
  const std::vector<std::string> replicas = context_.home_replicas(key);
  if (replicas.empty() || !context_.is_self(replicas.front())) return;
  candidates_.insert(Key(key));
}

template <TombstoneContext C>
void TombstoneCollector<C>::rescan() {
  candidates_.clear();
  context_.for_each_stored([this](std::string_view key, const Siblings& s) { note(key, s); });
}

template <TombstoneContext C>
void TombstoneCollector<C>::sweep() {
  if (!context_.ring_stable() || context_.now() - context_.ring_changed_at() < options_.grace) {
    return;
  }
  const std::uint64_t wall = context_.wall_clock_ms();
  const auto grace = static_cast<std::uint64_t>(options_.grace.count());
  std::uint32_t checked = 0;
  for (auto it = candidates_.begin(); it != candidates_.end() && checked < options_.batch;) {
    const Key& key = *it;
    const std::optional<Siblings> stored = context_.stored(key);
    if (!stored || stored->has_live_value()) {
      it = candidates_.erase(it);
      continue;
    }
    const auto versions = stored->versions();
    const std::uint64_t newest = std::ranges::max(versions, {}, &Versioned::timestamp).timestamp;
    const bool in_check =
        checks_.find_if([&](const CheckOp& op) { return op.key == key; }).has_value();
    if (!in_check && newest + grace <= wall) {
      ++checked;
      start_check(key, *stored);
    }
    ++it;
  }
}

// A tombstone may go only when every home replica holds exactly it and no node keeps a hint for
// the key: otherwise an older copy could come back after the tombstone is gone. Every member is
// asked, since any of them may be a fallback holding a hint.
template <TombstoneContext C>
void TombstoneCollector<C>::start_check(const Key& key, const Siblings& expected) {
  assert(!expected.empty() && !expected.has_live_value());
  if (context_.holds_hint_for(key)) return;
  CheckOp check{key, expected, {}};
  for (const std::string& name : context_.members()) {
    if (!context_.is_self(name)) check.waiting.insert(name);
  }
  const std::uint64_t id = checks_.start(std::move(check), options_.deadline);
  const CheckOp& started = checks_.at(id);
  for (const std::string& peer : started.waiting) context_.send(peer, wire::TombstoneCheck{id, key});
  if (started.waiting.empty()) collect(id);
}

template <TombstoneContext C>
void TombstoneCollector<C>::on_check(const std::string& from, const wire::TombstoneCheck& m) {
  context_.send(from, wire::TombstoneCheckReply{m.request_id,
                                                context_.stored(m.key).value_or(Siblings{}),
                                                context_.holds_hint_for(m.key)});
}

template <TombstoneContext C>
void TombstoneCollector<C>::on_check_reply(std::uint64_t id, const std::string& from,
                                           const wire::TombstoneCheckReply& reply) {
  CheckOp* check = checks_.find(id);
  if (check == nullptr || !check->waiting.contains(from)) return context_.unmatched();
  const std::vector<std::string> replicas = context_.home_replicas(check->key);
  const bool primary = std::ranges::find(replicas, from) != replicas.end();
  const bool agrees =
      !reply.hinted && (reply.siblings == check->expected || (!primary && reply.siblings.empty()));
  if (!agrees) {
    checks_.take(id);
    return;
  }
  check->waiting.erase(from);
  if (check->waiting.empty()) collect(id);
}

// Every member agreed: the key's home replicas purge the tombstone, this node too.
template <TombstoneContext C>
void TombstoneCollector<C>::collect(std::uint64_t id) {
  std::optional<CheckOp> check = checks_.take(id);
  assert(check && check->waiting.empty());
  for (const std::string& node : context_.home_replicas(check->key)) {
    if (!context_.is_self(node)) {
      context_.send(node, wire::Purge{ids_.next(RequestKind::untracked), check->key,
                                      check->expected});
    }
  }
  if (context_.stored(check->key) == check->expected) context_.erase(check->key, check->expected);
  candidates_.erase(check->key);
  context_.log(LogLevel::debug, "tombstone_collected", "collected the tombstone of " + check->key,
               {{"key", check->key}});
}

template <TombstoneContext C>
void TombstoneCollector<C>::on_purge(const wire::Purge& m) {
  const std::optional<Siblings> stored = context_.stored(m.key);
  if (stored && *stored == m.expected) {
    context_.erase(m.key, *stored);
    candidates_.erase(m.key);
  }
}

}  // namespace dynamo
