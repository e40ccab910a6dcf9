#pragma once
// One-shot timers a test advances by hand, for components driven without a simulator: due
// timers run in order of due time, ties in the order they were scheduled.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace dynamo::test {

struct ManualTimers {
  std::chrono::milliseconds now{0};
  std::uint64_t last = 0;
  std::map<std::uint64_t, std::pair<std::chrono::milliseconds, std::function<void()>>> pending;

  std::uint64_t schedule(std::chrono::milliseconds delay, std::function<void()> f) {
    pending[++last] = {now + delay, std::move(f)};
    return last;
  }
  void cancel(std::uint64_t id) { pending.erase(id); }
  // Runs every timer due by `until`, then sets the clock to it.
  void advance_to(std::chrono::milliseconds until) {
    for (;;) {
      auto next = pending.end();
      for (auto it = pending.begin(); it != pending.end(); ++it) {
        if (it->second.first <= until &&
            (next == pending.end() || it->second.first < next->second.first)) {
          next = it;
        }
      }
      if (next == pending.end()) break;
      now = next->second.first;
      auto f = std::move(next->second.second);
      pending.erase(next);
      f();
    }
    now = until;
  }
  void advance(std::chrono::milliseconds d) { advance_to(now + d); }
};

}  // namespace dynamo::test
