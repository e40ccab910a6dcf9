#pragma once
// What one benchmark run does: YCSB's core workloads A (50% reads, 50% updates), B (95/5) and
// C (reads only) over `records` keys, for a number of operations or a duration, from
// `connections` clients each keeping `in_flight` requests outstanding (closed loop), or, with a
// target rate, operations offered on a fixed schedule whatever the latency (open loop).

#include <chrono>
#include <cstdint>
#include <string>

#include "load/key_chooser.hpp"

namespace load {

struct Workload {
  char name = 'a';  // a, b or c
  double read_fraction = 0.5;
  Distribution distribution = Distribution::uniform;
  std::uint64_t records = 100'000;
  std::uint64_t operations = 0;            // 0: run for `duration`
  std::chrono::milliseconds duration{10'000};
  std::size_t value_size = 100;
  std::uint32_t connections = 50;
  std::uint32_t in_flight = 1;             // per connection
  // Operations per second offered over all connections in the run phase; 0: closed loop. Each
  // operation's latency counts from when the schedule said to send it, so a stall that delays
  // later operations shows in their latency (no coordinated omission).
  double target_rate = 0;
  std::uint32_t r = 2;
  std::uint32_t w = 2;
};

// Sets name and read_fraction from "a", "b" or "c"; throws std::invalid_argument otherwise.
inline void set_workload(Workload& w, const std::string& name) {
  if (name == "a") {
    w.read_fraction = 0.5;
  } else if (name == "b") {
    w.read_fraction = 0.95;
  } else if (name == "c") {
    w.read_fraction = 1.0;
  } else {
    throw std::invalid_argument("unknown workload '" + name + "': use a, b or c");
  }
  w.name = name[0];
}

inline Distribution parse_distribution(const std::string& name) {
  if (name == "uniform") return Distribution::uniform;
  if (name == "zipfian") return Distribution::zipfian;
  throw std::invalid_argument("unknown distribution '" + name + "': use uniform or zipfian");
}

inline const char* to_string(Distribution d) {
  return d == Distribution::uniform ? "uniform" : "zipfian";
}

}  // namespace load
