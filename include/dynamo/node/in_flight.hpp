#pragma once
// The requests a node waits on: one id space whose ids name their kind, and one table type that
// every kind of request lives in (InFlight), with its deadline, so that
// - an answer is routed by the id it carries (RequestIds::kind_of), never by probing tables;
// - a request cannot outlive its deadline unnoticed: every entry holds a live deadline timer
//   unless it was parked on purpose (it waits for the storage, not for a peer);
// - taking a request out cancels its deadline, and destroying the table cancels them all.
//
// Each component owns the table of its own requests; the ids come from the node's one
// RequestIds, so two tables never issue the same id.
//
// Thread safety: none; its owner calls it from one executor.

#include <cassert>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dynamo/node/one_shot_timers.hpp"

namespace dynamo {

// What a request id stands for. `untracked` names a request nothing waits on (read repair,
// purge, ring request): an answer to it matches nothing.
enum class RequestKind : std::uint8_t {
  untracked = 1,
  read,
  write,
  forward,
  hint_delivery,
  tombstone_check,
  exchange,
  fetch,
  relocation,
  membership_retry,
};

// Issues a node's request ids. The low bits of an id hold its kind; the rest count up from a
// random start (so a restarted node does not reuse the ids its peers may still answer).
class RequestIds {
 public:
  static constexpr unsigned kind_bits = 4;
  explicit RequestIds(std::uint64_t first) : sequence_(first) {}
  std::uint64_t next(RequestKind kind) {
    return (++sequence_ << kind_bits) | static_cast<std::uint64_t>(kind);
  }
  // The kind an id of this node was issued for; nullopt for an id no kind has (not ours).
  static std::optional<RequestKind> kind_of(std::uint64_t id) {
    const auto kind = static_cast<std::uint8_t>(id & ((1u << kind_bits) - 1));
    if (kind < static_cast<std::uint8_t>(RequestKind::untracked) ||
        kind > static_cast<std::uint8_t>(RequestKind::membership_retry)) {
      return std::nullopt;
    }
    return static_cast<RequestKind>(kind);
  }

 private:
  std::uint64_t sequence_;
};

// The requests of one kind in flight, by id, each with one deadline. When a deadline passes the
// table calls its handler with the id; the handler must take() the request, rearm() it or park()
// it, so no request is left waiting on nothing (check_invariants() finds one that is).
template <OneShotTimers Timers, class Op>
class InFlight {
 public:
  using Handler = std::function<void(std::uint64_t id)>;

  InFlight(Timers& timers, RequestIds& ids, RequestKind kind, Handler on_deadline)
      : timers_(timers), ids_(ids), kind_(kind), on_deadline_(std::move(on_deadline)) {}
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() { clear(); }

  // Adds `op` under a new id of this table's kind, its deadline `deadline` from now.
  std::uint64_t start(Op op, std::chrono::milliseconds deadline) {
    const std::uint64_t id = ids_.next(kind_);
    Entry& entry = entries_.emplace(id, Entry{std::move(op), 0}).first->second;
    entry.timer = arm(id, deadline);
    return id;
  }

  bool contains(std::uint64_t id) const { return entries_.contains(id); }
  Op* find(std::uint64_t id) {
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second.op;
  }
  const Op* find(std::uint64_t id) const {
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second.op;
  }
  Op& at(std::uint64_t id) {
    Op* op = find(id);
    assert(op != nullptr);
    return *op;
  }

  // Removes the request and cancels its deadline; nullopt if it is not in flight (answered or
  // expired already: a late or duplicated answer).
  std::optional<Op> take(std::uint64_t id) {
    const auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    if (it->second.timer != 0) timers_.cancel(it->second.timer);
    std::optional<Op> op(std::move(it->second.op));
    entries_.erase(it);
    return op;
  }

  // Sets a new deadline `delay` from now, in place of the current one.
  void rearm(std::uint64_t id, std::chrono::milliseconds delay) {
    Entry& entry = entry_at(id);
    if (entry.timer != 0) timers_.cancel(entry.timer);
    entry.timer = arm(id, delay);
  }
  // Leaves the request without a deadline: it waits for something that surely comes (the
  // storage's durability news), and its owner rearms it then.
  void park(std::uint64_t id) {
    Entry& entry = entry_at(id);
    if (entry.timer != 0) timers_.cancel(entry.timer);
    entry.timer = 0;
  }
  bool parked(std::uint64_t id) const {
    const auto it = entries_.find(id);
    return it != entries_.end() && it->second.timer == 0;
  }

  // Removes every request and cancels every deadline; returns them, in id order, for the owner
  // to fail their callers.
  std::vector<std::pair<std::uint64_t, Op>> take_all() {
    std::vector<std::pair<std::uint64_t, Op>> out;
    out.reserve(entries_.size());
    for (auto& [id, entry] : entries_) {
      if (entry.timer != 0) timers_.cancel(entry.timer);
      out.emplace_back(id, std::move(entry.op));
    }
    entries_.clear();
    return out;
  }
  void clear() { take_all(); }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Calls f(id, op) for each request in id order. f must not add or remove requests.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [id, entry] : entries_) f(id, entry.op);
  }
  template <class F>
  void for_each(F&& f) {
    for (auto& [id, entry] : entries_) f(id, entry.op);
  }
  // The id of the first request (in id order) for which pred(op) holds.
  template <class Pred>
  std::optional<std::uint64_t> find_if(Pred&& pred) const {
    for (const auto& [id, entry] : entries_) {
      if (pred(entry.op)) return id;
    }
    return std::nullopt;
  }
  // The ids of the requests for which pred(op) holds, in id order.
  template <class Pred>
  std::vector<std::uint64_t> ids_if(Pred&& pred) const {
    std::vector<std::uint64_t> ids;
    for (const auto& [id, entry] : entries_) {
      if (pred(entry.op)) ids.push_back(id);
    }
    return ids;
  }

  // Throws std::logic_error naming `what` and the id of a request whose deadline is not live
  // (`live(timer)` tells, where the owner can), unless it is parked and `may_park` holds, or of
  // a request whose id is not of this table's kind.
  template <class Live>
  void check_invariants(const std::string& what, Live live, bool may_park = false) const {
    for (const auto& [id, entry] : entries_) {
      if (RequestIds::kind_of(id) != kind_) {
        throw std::logic_error(what + " " + std::to_string(id) + " has an id of another kind");
      }
      if (entry.timer == 0 ? !may_park : !live(entry.timer)) {
        throw std::logic_error("every " + what + " in flight has a live timeout (" + what + " " +
                               std::to_string(id) + " has none)");
      }
    }
  }

 private:
  struct Entry {
    Op op;
    std::uint64_t timer = 0;  // 0: parked
  };
  Entry& entry_at(std::uint64_t id) {
    const auto it = entries_.find(id);
    assert(it != entries_.end());
    return it->second;
  }
  std::uint64_t arm(std::uint64_t id, std::chrono::milliseconds delay) {
    return timers_.schedule(delay, [this, id] { expire(id); });
  }
  void expire(std::uint64_t id) {
    const auto it = entries_.find(id);
    if (it == entries_.end()) return;
    it->second.timer = 0;
    on_deadline_(id);
  }

  Timers& timers_;
  RequestIds& ids_;
  RequestKind kind_;
  Handler on_deadline_;
  std::map<std::uint64_t, Entry> entries_;
};

}  // namespace dynamo
