#pragma once
// How a run is reported: a Markdown table row for people and a JSON object for programs, both
// with ops/s, latency percentiles from the histograms, and CPU time per operation.

#include <cstdio>
#include <string>

#include "load/load_driver.hpp"
#include "load/workload.hpp"

namespace load {

// What was measured, besides the workload: where the cluster ran and on what storage.
struct Setup {
  std::string target;   // "in-process" or "dynamo-peer x3"
  std::string storage;  // "memory" or "log"
  std::string reads_by = "client";  // who coordinates reads: "client" or "node"
  std::uint32_t n = 3;
  Workload workload;
};

inline double micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

inline std::string table_header() {
  return "| cluster | storage | N/R/W | reads by | workload | keys | clients x in flight | ops/s | "
         "p50 ms | p95 ms | p99 ms | p99.9 ms | CPU us/op | failed |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
}

inline std::string table_row(const Setup& s, const PhaseResult& p) {
  const Workload& w = s.workload;
  const std::string what = p.phase == "load"
                               ? std::string("load (inserts)")
                               : std::string(1, static_cast<char>(w.name - 'a' + 'A')) + " " +
                                     to_string(w.distribution);
  const double cpu_per_op = p.ok ? p.cpu_seconds * 1e6 / static_cast<double>(p.ok) : 0;
  char load[96];
  if (p.phase == "run" && w.target_rate > 0) {
    std::snprintf(load, sizeof load, "%u x %u, %.0f/s offered", w.connections, w.in_flight,
                  w.target_rate);
  } else {
    std::snprintf(load, sizeof load, "%u x %u", w.connections, w.in_flight);
  }
  char line[640];
  std::snprintf(line, sizeof line,
                "| %s | %s | %u/%u/%u | %s | %s | %llu | %s | %.0f | %.3f | %.3f | %.3f | %.3f | "
                "%.1f | %llu |\n",
                s.target.c_str(), s.storage.c_str(), s.n, w.r, w.w, s.reads_by.c_str(),
                what.c_str(), static_cast<unsigned long long>(w.records), load,
                p.ops_per_second(), micros(p.all.percentile(0.50)) / 1000,
                micros(p.all.percentile(0.95)) / 1000, micros(p.all.percentile(0.99)) / 1000,
                micros(p.all.percentile(0.999)) / 1000, cpu_per_op,
                static_cast<unsigned long long>(p.failed));
  return line;
}

inline std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

inline std::string latency_json(const LatencyHistogram& h) {
  char text[256];
  std::snprintf(text, sizeof text,
                "{\"count\":%llu,\"mean\":%.1f,\"p50\":%.1f,\"p95\":%.1f,\"p99\":%.1f,"
                "\"p999\":%.1f,\"max\":%.1f}",
                static_cast<unsigned long long>(h.count()), h.mean() / 1000,
                micros(h.percentile(0.50)), micros(h.percentile(0.95)),
                micros(h.percentile(0.99)), micros(h.percentile(0.999)), micros(h.max()));
  return text;
}

// One line of JSON; latencies in microseconds.
inline std::string json_line(const Setup& s, const PhaseResult& p) {
  const Workload& w = s.workload;
  std::string errors;
  for (const auto& [message, count] : p.errors) {
    errors += (errors.empty() ? "" : ",") + ("\"" + json_escape(message) + "\":" + std::to_string(count));
  }
  char head[768];
  std::snprintf(head, sizeof head,
                "{\"cluster\":\"%s\",\"storage\":\"%s\",\"reads_by\":\"%s\",\"n\":%u,\"r\":%u,\"w\":%u,"
                "\"phase\":\"%s\",\"workload\":\"%c\",\"distribution\":\"%s\",\"records\":%llu,"
                "\"value_size\":%zu,\"clients\":%u,\"in_flight\":%u,\"target_rate\":%.0f,"
                "\"ops\":%llu,\"failed\":%llu,"
                "\"seconds\":%.3f,\"ops_per_sec\":%.1f,\"cpu_us_per_op\":%.2f,",
                s.target.c_str(), s.storage.c_str(), s.reads_by.c_str(), s.n, w.r, w.w,
                p.phase.c_str(), w.name, to_string(w.distribution),
                static_cast<unsigned long long>(w.records), w.value_size, w.connections,
                w.in_flight, p.phase == "run" ? w.target_rate : 0.0,
                static_cast<unsigned long long>(p.ok),
                static_cast<unsigned long long>(p.failed), p.seconds, p.ops_per_second(),
                p.ok ? p.cpu_seconds * 1e6 / static_cast<double>(p.ok) : 0.0);
  return std::string(head) + "\"latency_us\":" + latency_json(p.all) +
         ",\"read_latency_us\":" + latency_json(p.reads) +
         ",\"update_latency_us\":" + latency_json(p.updates) + ",\"errors\":{" + errors + "}}\n";
}

}  // namespace load
