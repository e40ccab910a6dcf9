#pragma once
// ClientCore::check_invariants(): what holds between any two events a client handles. The
// Simulator runs it after every event (SimCluster registers it). O(requests in flight).
// Client-coordinated reads are checked by their coordinator (quorum::ReadCoordinator).

#include <algorithm>
#include <string>

#include "dynamo/detail/invariant.hpp"

namespace dynamo {

template <Transport T>
void ClientCore<T>::check_invariants() const {
  const auto fail = [this](std::string_view invariant, const std::string& detail) {
    detail::invariant_violated("client " + identity_, invariant, detail);
  };
  const auto live = [this](TimerId id) { return detail::timer_live(transport_, id); };
  const auto id_of = [](std::uint64_t id) { return "request " + std::to_string(id); };

  if (stopped_) {
    if (reads_.size() != 0 || !requests_.empty() || !status_queries_.empty() || !changes_.empty() ||
        !awaiting_ring_.empty()) {
      fail("a stopped client has nothing in flight", "a table is not empty after stop()");
    }
    return;
  }
  if (!live(ring_timer_)) fail("the ring refresh timer is armed", "ring_timer_");
  if (!ring_wait_over_ && !live(ring_wait_timer_)) {
    fail("the wait for the first ring ends", "ring_wait_timer_ is not armed");
  }

  try {
    reads_.check_invariants(live);
  } catch (const std::logic_error& e) {
    fail("every client-coordinated read ends", e.what());
  }
  // Every request ends by its answer or at its deadline.
  for (const auto& [id, request] : requests_) {
    if (!live(request.deadline)) fail("every request has a live deadline", id_of(id) + " of " + request.routing_key);
    if (request.attempt > request.candidates.size()) fail("a request asks one of its candidates", id_of(id));
  }
  for (const auto& [id, query] : status_queries_) {
    if (!live(query.timer)) fail("every status query has a live timeout", id_of(id) + " to " + query.node);
  }
  for (const auto& [id, change] : changes_) {
    if (!live(change.timer)) fail("every membership change has a live timer", id_of(id));
    if (change.attempt >= change.candidates.size()) fail("a membership change asks one of its candidates", id_of(id));
  }
  // Requests wait for the first ring only until the wait is over, and each is still in flight.
  if (ring_wait_over_ && !awaiting_ring_.empty()) {
    fail("no request waits for the ring once the wait is over", id_of(awaiting_ring_.front()));
  }
  for (const std::uint64_t id : awaiting_ring_) {
    if (!requests_.contains(id)) fail("every request waiting for the ring is in flight", id_of(id));
  }
}

}  // namespace dynamo
