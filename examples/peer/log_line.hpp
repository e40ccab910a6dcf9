#pragma once
// dynamo-peer's log: one line per event on stdout, prefixed with a UTC timestamp and flushed at
// once, so a log file shows each event as it happens, even if the process is killed.

#include <string_view>

namespace examples {

void log_line(std::string_view line);

}  // namespace examples
