#pragma once
// NodeCore::check_invariants(): what holds between any two events a node handles. The Simulator
// runs it after every event (SimCluster registers it), so a broken rule is reported by the event
// that broke it. Each check costs O(operations in flight); sibling sets are checked only where
// they are in flight plus a bounded sample of stored ones (a whole-storage pass per event would
// dominate the simulation), and Siblings::add asserts the rule where every set is built.
// Reads in flight, the periodic jobs and the range transfer are checked by their own components.

#include <algorithm>
#include <string>

#include "dynamo/detail/invariant.hpp"

namespace dynamo {

template <Storage S, Transport T>
void NodeCore<S, T>::check_invariants() const {
  const auto fail = [this](std::string_view invariant, const std::string& detail) {
    detail::invariant_violated("node " + config_.name, invariant, detail);
  };
  const auto live = [this](TimerId id) { return detail::timer_live(transport_, id); };
  const auto id_of = [](std::uint64_t id) { return "op " + std::to_string(id); };

  if (stopped_) {
    const bool empty = reads_.size() == 0 && writes_.empty() && forwards_.empty() && replays_.empty() &&
                       replaying_.empty() && tombstone_checks_.empty() && exchanges_.empty() &&
                       transfer_.idle() &&
                       change_retries_.empty() && awaiting_durable_.empty();
    if (!empty) fail("a stopped node has nothing in flight", "a table is not empty after stop()");
    return;
  }

  // Periodic work is always scheduled while the node runs (a lost timer silently ends it), and
  // every read, partition fetch and relocation in flight ends by its answers or its deadline.
  try {
    jobs_.check_invariants(live);
    reads_.check_invariants(live);
    transfer_.check_invariants(live);
  } catch (const std::logic_error& e) {
    fail("the node's components hold their invariants", e.what());
  }

  // Every operation in flight ends by its answer or by its timeout: without a live timeout an
  // unanswered one would stay forever.
  for (const auto& [id, op] : writes_) {
    if (!live(op.timer)) fail("every write in flight has a live timeout", id_of(id) + " of " + op.key);
    if (op.acked.size() >= op.plan.targets.size()) {
      fail("a write every target acknowledged is finished", id_of(id) + " of " + op.key);
    }
    if (!mutually_concurrent(op.replicated.versions())) {
      fail("siblings are mutually concurrent", "the sibling set write " + id_of(id) + " replicates");
    }
  }
  for (const auto& [id, op] : forwards_) {
    if (!live(op.timer)) fail("every forward in flight has a live timeout", id_of(id) + " to " + op.target);
  }
  for (const auto& [id, op] : replays_) {
    if (!live(op.timer)) fail("every hint delivery has a live timeout", id_of(id) + " to " + op.owner);
    if (!replaying_.contains({op.owner, op.key})) {
      fail("replaying_ lists every hint delivery", id_of(id) + " of " + op.key + " for " + op.owner);
    }
  }
  // Together with the check above: replaying_ holds exactly the (owner, key) of the deliveries.
  if (replaying_.size() != replays_.size()) {
    fail("replaying_ lists only hint deliveries in flight",
         std::to_string(replaying_.size()) + " entries, " + std::to_string(replays_.size()) + " deliveries");
  }
  for (const auto& [id, op] : tombstone_checks_) {
    if (!live(op.timer)) fail("every tombstone check has a live timeout", id_of(id) + " of " + op.key);
    if (op.waiting.empty()) fail("a tombstone check every member answered is finished", id_of(id));
    if (op.expected.has_live_value()) fail("only tombstones are checked for collection", id_of(id));
  }
  if (exchanges_.size() > config_.anti_entropy_exchanges) {
    fail("at most anti_entropy_exchanges exchanges are in flight", std::to_string(exchanges_.size()));
  }
  for (const auto& [id, op] : exchanges_) {
    if (!live(op.timer)) fail("every anti-entropy exchange has a live timeout", id_of(id) + " with " + op.peer);
  }
  for (const auto& [id, retry] : change_retries_) {
    if (!live(retry.first)) fail("every membership retry has a live timer", id_of(id));
  }

  // A bounded sample of stored sibling sets: the keys of the first writes in flight, which are
  // the keys most recently written here.
  constexpr std::size_t sampled_writes = 4;
  std::size_t sampled = 0;
  for (const auto& [id, op] : writes_) {
    if (sampled++ == sampled_writes) break;
    if (const auto stored = store_.get(op.plan.pos, op.key);
        stored && !mutually_concurrent(stored->versions())) {
      fail("siblings are mutually concurrent", "the stored sibling set of " + op.key);
    }
  }
}

}  // namespace dynamo
