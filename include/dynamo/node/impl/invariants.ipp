#pragma once
// NodeCore::check_invariants(): what holds between any two events a node handles. The Simulator
// runs it after every event (SimCluster registers it), so a broken rule is reported by the event
// that broke it. Each check costs O(operations in flight); sibling sets are checked only where
// they are in flight plus a bounded sample of stored ones (a whole-storage pass per event would
// dominate the simulation), and Siblings::add asserts the rule where every set is built.
// The components (periodic jobs, the read and write coordinators, the forwarder, hinted
// handoff, tombstone collection, anti-entropy, range transfer, ring membership) check their own
// invariants.

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

  if (stopped_) {
    const bool empty = reads_.size() == 0 && writes_.size() == 0 && forwards_.size() == 0 &&
                       handoff_.size() == 0 && tombstones_.size() == 0 && anti_entropy_.size() == 0 &&
                       transfer_.idle() && membership_.waiting_changes() == 0 &&
                       store_.awaiting_durable() == 0;
    if (!empty) fail("a stopped node has nothing in flight", "a table is not empty after stop()");
    return;
  }

  // Periodic work is always scheduled while the node runs (a lost timer silently ends it), and
  // every request in flight ends by its answers or its deadline: without a live deadline an
  // unanswered one would stay forever.
  try {
    jobs_.check_invariants(live);
    reads_.check_invariants(live);
    writes_.check_invariants(live);
    forwards_.check_invariants(live);
    handoff_.check_invariants(live);
    membership_.check_invariants(live);
    tombstones_.check_invariants(live);
    anti_entropy_.check_invariants(live);
    transfer_.check_invariants(live);
  } catch (const std::logic_error& e) {
    fail("the node's components hold their invariants", e.what());
  }
}

}  // namespace dynamo
