#pragma once
// Latency histograms of the metrics, in microseconds: 8 log-linear buckets per power of two (a
// percentile read back is within 12.5% of the truth), from 1 us to 71 minutes, in 2 KB.
// LatencyRecorder is written on the executor's thread and read from any; LatencySnapshot is a
// plain copy to compute percentiles from or export (prometheus.hpp).

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>

#include "dynamo/metrics/counter.hpp"
#include "dynamo/metrics/log_linear_buckets.hpp"

namespace dynamo::metrics {

using LatencyBuckets = LogLinearBuckets<3, 32>;
// A latency of u us goes to the bucket of u - 1, so each bucket holds (lowest, next lowest] and a
// power of two is an inclusive upper bound, as Prometheus' `le` means.
constexpr std::size_t bucket_of(std::uint64_t us) { return LatencyBuckets::index_of(us ? us - 1 : 0); }

struct LatencySnapshot {
  std::array<std::uint64_t, LatencyBuckets::count> buckets{};
  std::uint64_t sum_us = 0;

  std::uint64_t count() const;
  // Samples of at most `bound_us`: exact when bound_us is a power of two (a bucket boundary),
  // else those of the buckets wholly at or below it.
  std::uint64_t count_at_most(std::uint64_t bound_us) const;
  // The latency below which `fraction` (0..1) of the samples lie, to the middle of its bucket;
  // 0 when there is none.
  std::chrono::microseconds percentile(double fraction) const;
};

class LatencyRecorder {
 public:
  // REQUIRES: called from one thread only.
  void record(std::chrono::microseconds latency) noexcept {
    const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count()));
    buckets_[bucket_of(us)].add();
    sum_us_.add(us);
  }
  LatencySnapshot snapshot() const noexcept {
    LatencySnapshot s;
    for (std::size_t i = 0; i < s.buckets.size(); ++i) s.buckets[i] = buckets_[i].value();
    s.sum_us = sum_us_.value();
    return s;
  }

 private:
  std::array<Counter, LatencyBuckets::count> buckets_;
  Counter sum_us_;
};

}  // namespace dynamo::metrics
