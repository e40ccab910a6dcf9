// Names and arithmetic of the operation metrics (operations.hpp, latency.hpp).

#include "dynamo/metrics/operations.hpp"

#include <algorithm>
#include <array>

namespace dynamo::metrics {

static_assert(static_cast<std::size_t>(errc::resolver_failed) + 1 == other_outcome,
              "a new errc needs its outcome name below and a larger operation_outcomes");

std::string_view to_string(OperationKind kind) {
  switch (kind) {
    case OperationKind::get: return "get";
    case OperationKind::put: return "put";
    case OperationKind::remove: return "remove";
  }
  return "unknown";
}

std::string_view outcome_name(std::size_t outcome) {
  static constexpr std::array<std::string_view, operation_outcomes> names{
      "ok",          "timeout",           "quorum_not_reached", "bad_context",
      "malformed_frame", "too_large",     "incompatible_peer",  "not_found",
      "unknown_message", "unavailable",   "shutdown",           "invalid_request",
      "ring_changing",   "resolver_failed", "other"};
  return outcome < names.size() ? names[outcome] : "other";
}

std::uint64_t OperationMetrics::total(OperationKind kind) const {
  std::uint64_t sum = 0;
  for (const std::uint64_t c : counts[static_cast<std::size_t>(kind)]) sum += c;
  return sum;
}

OperationMetrics OperationRecorder::snapshot() const {
  OperationMetrics m;
  for (std::size_t k = 0; k < operation_kinds; ++k) {
    for (std::size_t o = 0; o < operation_outcomes; ++o) m.counts[k][o] = counts_[k][o].value();
    m.latency[k] = latency_[k].snapshot();
  }
  return m;
}

std::uint64_t LatencySnapshot::count() const {
  std::uint64_t sum = 0;
  for (const std::uint64_t c : buckets) sum += c;
  return sum;
}

std::uint64_t LatencySnapshot::count_at_most(std::uint64_t bound_us) const {
  // Bucket i holds latencies (lowest_of(i), lowest_of(i + 1)] (shifted by one: see bucket_of).
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const std::uint64_t top =
        i + 1 < buckets.size() ? LatencyBuckets::lowest_of(i + 1) : UINT64_MAX;
    if (top > bound_us) break;
    sum += buckets[i];
  }
  return sum;
}

std::chrono::microseconds LatencySnapshot::percentile(double fraction) const {
  const std::uint64_t n = count();
  if (n == 0) return {};
  const double wanted = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(n);
  auto rank = static_cast<std::uint64_t>(wanted);
  if (static_cast<double>(rank) < wanted || rank == 0) ++rank;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    seen += buckets[i];
    if (seen >= rank) {
      return std::chrono::microseconds(static_cast<std::int64_t>(LatencyBuckets::middle_of(i) + 1));
    }
  }
  return {};
}

}  // namespace dynamo::metrics
