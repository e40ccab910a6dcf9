#pragma once
// What a node's components need of its clock: one-shot timers they can cancel. A Transport is
// one (its schedule and cancel); a test drives a component with timers it advances by hand.

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>

namespace dynamo {

template <class T>
concept OneShotTimers = requires(T& t, std::chrono::milliseconds delay, std::function<void()> f,
                                 std::uint64_t id) {
  { t.schedule(delay, std::move(f)) } -> std::convertible_to<std::uint64_t>;
  t.cancel(id);
};

}  // namespace dynamo
