#pragma once
// What the protocol cores' check_invariants() share: how a violation is reported (a
// std::logic_error naming the node or client and the invariant, which the Simulator turns into an
// InvariantViolation with the seed and the event) and whether a timeout is live.

#include <stdexcept>
#include <string>
#include <string_view>

#include "dynamo/concepts.hpp"

namespace dynamo::detail {

[[noreturn]] inline void invariant_violated(std::string_view who, std::string_view invariant,
                                            std::string_view detail) {
  throw std::logic_error(std::string(who) + ": invariant violated: " + std::string(invariant) +
                         " (" + std::string(detail) + ")");
}

// A timer id that was set and, where the transport can tell (InspectableTimers), is still due.
template <class T>
bool timer_live(const T& transport, TimerId id) {
  if (id == 0) return false;
  if constexpr (InspectableTimers<T>) {
    return transport.scheduled(id);
  } else {
    return true;
  }
}

}  // namespace dynamo::detail
