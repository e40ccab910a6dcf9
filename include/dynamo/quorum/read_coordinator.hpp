#pragma once
// ReadCoordinator: the quorum read, written once for both of its callers. A node coordinating a
// get (NodeCore) and a client coordinating its own read (ClientCore, the paper's section 6.4)
// run the same state machine: ask the first replicas, merge answers as they arrive (ReadTally),
// answer the caller once R have, hedge to more replicas when the first are slow, end at the
// deadline with one rule for the error, and repair the home replicas that answered with less.
//
// It is sans-I/O: everything it does to the world goes through its owner's ReadContext (send a
// read, schedule and cancel a timer, suspect a node, write a repair), so the simulation drives
// it exactly as TCP does. Thread safety: none; its owner calls it from one executor.

#include <algorithm>
#include <cassert>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dynamo/core/siblings.hpp"
#include "dynamo/detail/read_tally.hpp"
#include "dynamo/errc.hpp"
#include "dynamo/quorum/request_options.hpp"

namespace dynamo::quorum {

// A replica a read may ask; `primary` when it is one of the key's home replicas (a strict read
// counts only those).
struct ReadTarget {
  std::string node;
  bool primary = false;
};

// Whom a read may ask: `targets`, the first N reachable nodes of the key's preference list in
// order, and `stand_ins`, the rest of the list, which a sloppy read asks in place of targets that
// stay silent. `epoch`: the ring the plan came from, passed back with every ask (0: unchecked).
struct ReadPlan {
  std::vector<ReadTarget> targets;
  std::vector<std::string> stand_ins;
  std::uint64_t epoch = 0;
};

// How a coordinator paces its reads. `ask_all_first`: ask every target at once (a node, whose
// own copy is one of them) or only R of them, the rest at the first hedge (a client, which
// saves the messages).
struct ReadPacing {
  std::chrono::milliseconds deadline{0};
  std::chrono::milliseconds hedge_delay{0};
  bool ask_all_first = true;
};

// What a ReadCoordinator needs from its owner. All calls come from inside the coordinator's
// own calls; none may call back into it except through the coordinator's public interface
// after returning.
//  - ask(node, id, key, epoch): send the replica read; returns the answer at once when the
//    owner holds the copy itself (its own storage), else nullopt (the answer arrives later
//    through on_reply).
//  - usable(node): whether a stand-in is worth asking now.
//  - slow(node, waited): `node` has not answered a read sent `waited` ago, at a hedge.
//  - silent(node, waited): ... nor by the deadline; the read is over.
//  - repair(node, key, merged): `node`, a home replica, answered with less than `merged`.
//  - schedule / cancel: timers, as the Transport's; next_id(): a fresh request id.
template <class C>
concept ReadContext = requires(C& c, const std::string& node, std::uint64_t id, const Key& key,
                               const Siblings& siblings, std::chrono::milliseconds waited,
                               std::function<void()> action, std::uint64_t timer) {
  { c.ask(node, id, key, id) } -> std::same_as<std::optional<Siblings>>;
  { c.usable(node) } -> std::convertible_to<bool>;
  c.slow(node, waited);
  c.silent(node, waited);
  c.repair(node, key, siblings);
  { c.schedule(waited, std::move(action)) } -> std::same_as<std::uint64_t>;
  c.cancel(timer);
  { c.next_id() } -> std::same_as<std::uint64_t>;
};

template <ReadContext C>
class ReadCoordinator {
 public:
  using Callback = SiblingsCallback;

  ReadCoordinator(C& context, ReadPacing pacing) : context_(context), pacing_(pacing) {
    if (pacing_.deadline.count() <= 0 || pacing_.hedge_delay.count() <= 0) {
      throw std::invalid_argument("a read needs a positive deadline and hedge delay");
    }
  }
  ReadCoordinator(const ReadCoordinator&) = delete;
  ReadCoordinator& operator=(const ReadCoordinator&) = delete;
  // REQUIRES: fail_all() ran first if reads may be in flight (their callbacks are owed).
  ~ReadCoordinator() { assert(reads_.empty()); }

  // Starts a read of `key` needing `required` answers (home replicas only when `strict`) out of
  // at most `n` replicas. Refuses at once, through `done`, a quorum above n (invalid_request)
  // or more than the plan can reach (unavailable, reporting how many it can).
  void start(Key key, ReadPlan plan, std::uint32_t n, std::uint32_t required, bool strict,
             Callback done);

  // An answer to read `id` from `from`. False when nothing waits for it (unknown id, a node not
  // asked, or one that answered already): the caller counts it as unmatched.
  bool on_reply(std::uint64_t id, const std::string& from, Siblings siblings);
  // Whether read `id` asked `node` and still waits for its answer.
  bool awaits(std::uint64_t id, const std::string& node) const {
    const auto it = reads_.find(id);
    return it != reads_.end() && it->second.tally.awaits(node);
  }

  // Ends read `id` without an answer or a repair, handing back its key and, unless the caller
  // was answered already, its callback: for an owner that takes the read another way (a client
  // whose replica holds another ring). nullopt when `id` is not in flight.
  struct Abandoned {
    Key key;
    std::uint32_t required = 0;
    bool strict = false;
    Callback done;  // empty when the caller has its answer
  };
  std::optional<Abandoned> abandon(std::uint64_t id);

  // Fails every read whose caller waits with `ec`, cancels their timers and forgets them all.
  void fail_all(std::error_code ec);

  std::size_t size() const { return reads_.size(); }
  // Throws std::logic_error naming what does not hold: each read has a deadline armed
  // (`live(timer)`: still due, where the owner can tell), has asked someone, and its caller was
  // answered once R answered, and it is over once every replica asked answered.
  template <class Live>
  void check_invariants(Live live) const;
  void check_invariants() const {
    check_invariants([](std::uint64_t) { return true; });
  }

 private:
  struct Read {
    Key key;
    std::uint64_t epoch = 0;
    std::vector<ReadTarget> targets;
    std::vector<std::string> stand_ins;  // not asked yet, in order
    detail::ReadTally tally;  // of the replicas asked so far
    Callback done;            // empty once answered; the read then waits for stragglers
    std::uint64_t deadline = 0;
    std::uint64_t hedge = 0;
  };

  void ask(std::uint64_t id, Read& read, const ReadTarget& target,
           std::vector<std::pair<std::string, Siblings>>& at_once);
  void record_at_once(std::uint64_t id, std::vector<std::pair<std::string, Siblings>> at_once);
  void hedge(std::uint64_t id);
  void answer(Read& read, std::error_code ec);
  void finish(std::uint64_t id);

  C& context_;
  ReadPacing pacing_;
  std::map<std::uint64_t, Read> reads_;
};

template <ReadContext C>
void ReadCoordinator<C>::start(Key key, ReadPlan plan, std::uint32_t n, std::uint32_t required,
                               bool strict, Callback done) {
  assert(required > 0);
  const auto reachable = static_cast<std::uint32_t>(
      strict ? std::ranges::count_if(plan.targets, &ReadTarget::primary) : plan.targets.size());
  const QuorumReport report{reachable, required, strict};
  if (required > n) return done(make_error_code(errc::invalid_request), {}, report);
  if (reachable < required) return done(make_error_code(errc::unavailable), {}, report);

  const std::uint64_t id = context_.next_id();
  Read& read = reads_[id];
  read.key = std::move(key);
  read.epoch = plan.epoch;
  read.targets = std::move(plan.targets);
  read.stand_ins = std::move(plan.stand_ins);
  read.tally = detail::ReadTally(required, strict);
  read.done = std::move(done);
  read.deadline = context_.schedule(pacing_.deadline, [this, id] { finish(id); });
  read.hedge = context_.schedule(pacing_.hedge_delay, [this, id] { hedge(id); });
  const std::size_t first = pacing_.ask_all_first ? read.targets.size() : required;
  std::vector<std::pair<std::string, Siblings>> at_once;
  for (std::size_t i = 0; i < first && i < read.targets.size(); ++i) {
    ask(id, read, read.targets[i], at_once);
  }
  record_at_once(id, std::move(at_once));
}

// Asks one replica; an answer the owner has at once (its own copy) is kept in `at_once` and
// recorded after every ask of the round is sent, so the read cannot end half-asked.
template <ReadContext C>
void ReadCoordinator<C>::ask(std::uint64_t id, Read& read, const ReadTarget& target,
                             std::vector<std::pair<std::string, Siblings>>& at_once) {
  assert(!read.tally.has_asked(target.node));
  read.tally.asked(target.node, target.primary);
  if (auto local = context_.ask(target.node, id, read.key, read.epoch)) {
    at_once.emplace_back(target.node, std::move(*local));
  }
}

template <ReadContext C>
void ReadCoordinator<C>::record_at_once(std::uint64_t id,
                                        std::vector<std::pair<std::string, Siblings>> at_once) {
  for (auto& [node, siblings] : at_once) {
    if (!reads_.contains(id)) return;
    on_reply(id, node, std::move(siblings));
  }
}

template <ReadContext C>
bool ReadCoordinator<C>::on_reply(std::uint64_t id, const std::string& from, Siblings siblings) {
  const auto it = reads_.find(id);
  if (it == reads_.end()) return false;
  Read& read = it->second;
  if (!read.tally.record(from, std::move(siblings))) return false;
  if (read.done && read.tally.reached()) answer(read, {});
  if (!read.done && read.tally.all_answered()) finish(id);
  return true;
}

// The hedge: R have not all answered after hedge_delay. Each replica still silent is reported
// slow (its owner suspects it until it answers again); targets not asked yet are asked now;
// once all were asked, a sloppy read asks a usable stand-in for each silent replica (a strict
// read has none: only home replicas count). Repeats every hedge_delay while it finds someone
// new to ask.
template <ReadContext C>
void ReadCoordinator<C>::hedge(std::uint64_t id) {
  const auto it = reads_.find(id);
  if (it == reads_.end()) return;
  Read& read = it->second;
  read.hedge = 0;
  if (!read.done) return;
  std::size_t silent = 0;
  read.tally.for_each_silent([&](const std::string& node) {
    context_.slow(node, pacing_.hedge_delay);
    ++silent;
  });
  std::vector<std::pair<std::string, Siblings>> at_once;
  bool asked_more = false;
  for (const ReadTarget& target : read.targets) {
    if (read.tally.has_asked(target.node)) continue;
    ask(id, read, target, at_once);
    asked_more = true;
  }
  if (!asked_more && !read.tally.report().strict) {
    while (silent > 0 && !read.stand_ins.empty()) {
      std::string node = std::move(read.stand_ins.front());
      read.stand_ins.erase(read.stand_ins.begin());
      if (read.tally.has_asked(node) || !context_.usable(node)) continue;
      read.targets.push_back(ReadTarget{std::move(node), false});
      ask(id, read, read.targets.back(), at_once);
      asked_more = true;
      --silent;
    }
  }
  if (asked_more) read.hedge = context_.schedule(pacing_.hedge_delay, [this, id] { hedge(id); });
  record_at_once(id, std::move(at_once));
}

template <ReadContext C>
void ReadCoordinator<C>::answer(Read& read, std::error_code ec) {
  auto done = std::move(read.done);
  read.done = nullptr;
  done(ec, ec ? Siblings{} : read.tally.merged(), read.tally.report());
}

// Every replica asked has answered, or the deadline passed. A caller not answered yet gets the
// one final error: timeout when no replica answered at all, quorum_not_reached when some did but
// fewer than R. Then each silent replica is reported, and each home replica that answered with
// less than the merged set is repaired (after the reply, as the paper's read repair).
template <ReadContext C>
void ReadCoordinator<C>::finish(std::uint64_t id) {
  const auto it = reads_.find(id);
  if (it == reads_.end()) return;
  Read read = std::move(it->second);
  reads_.erase(it);
  context_.cancel(read.deadline);
  if (read.hedge != 0) context_.cancel(read.hedge);
  if (read.done) {
    answer(read, make_error_code(read.tally.none_answered() ? errc::timeout
                                                            : errc::quorum_not_reached));
  }
  read.tally.for_each_silent(
      [&](const std::string& node) { context_.silent(node, pacing_.hedge_delay); });
  read.tally.for_each_stale_primary(
      [&](const std::string& node) { context_.repair(node, read.key, read.tally.merged()); });
}

template <ReadContext C>
auto ReadCoordinator<C>::abandon(std::uint64_t id) -> std::optional<Abandoned> {
  const auto it = reads_.find(id);
  if (it == reads_.end()) return std::nullopt;
  Read read = std::move(it->second);
  reads_.erase(it);
  context_.cancel(read.deadline);
  if (read.hedge != 0) context_.cancel(read.hedge);
  const QuorumReport& report = read.tally.report();
  return Abandoned{std::move(read.key), report.required, report.strict, std::move(read.done)};
}

template <ReadContext C>
void ReadCoordinator<C>::fail_all(std::error_code ec) {
  for (auto& [id, read] : std::exchange(reads_, {})) {
    context_.cancel(read.deadline);
    if (read.hedge != 0) context_.cancel(read.hedge);
    if (read.done) read.done(ec, {}, read.tally.report());
  }
}

template <ReadContext C>
template <class Live>
void ReadCoordinator<C>::check_invariants(Live live) const {
  for (const auto& entry : reads_) {
    const std::uint64_t id = entry.first;  // named, not bound: Clang 14 lambdas cannot capture bindings
    const Read& read = entry.second;
    const auto fail = [&](const char* what) {
      throw std::logic_error("read " + std::to_string(id) + " of key " + read.key + ": " + what);
    };
    if (read.deadline == 0 || !live(read.deadline)) fail("no deadline armed");
    if (read.tally.none_asked()) fail("nobody asked");
    if (read.done && read.tally.reached()) fail("R answered but the caller was not told");
    if (!read.done && read.tally.all_answered()) fail("over but still in flight");
  }
}

}  // namespace dynamo::quorum
