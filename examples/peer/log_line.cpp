#include "peer/log_line.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace examples {

void log_line(std::string_view line) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  // One fprintf per line: lines stay whole even when stdout is shared with other writers.
  std::fprintf(stdout, "%s.%03dZ %.*s\n", stamp, static_cast<int>(millis),
               static_cast<int>(line.size()), line.data());
  std::fflush(stdout);
}

}  // namespace examples
