#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "load/latency_histogram.hpp"

using load::LatencyHistogram;

TEST_CASE("histogram buckets are contiguous and each holds the values it reports", "[load]") {
  for (std::size_t i = 1; i < LatencyHistogram::kBuckets; ++i) {
    REQUIRE(LatencyHistogram::lowest_of(i) > LatencyHistogram::lowest_of(i - 1));
    REQUIRE(LatencyHistogram::index_of(LatencyHistogram::lowest_of(i)) == i);
    REQUIRE(LatencyHistogram::index_of(LatencyHistogram::lowest_of(i) - 1) == i - 1);
    REQUIRE(LatencyHistogram::index_of(LatencyHistogram::middle_of(i)) == i);
  }
  CHECK(LatencyHistogram::index_of(UINT64_MAX) == LatencyHistogram::kBuckets - 1);
}

TEST_CASE("histogram percentiles are within 0.4% of the exact sample", "[load]") {
  std::mt19937_64 rng(7);
  // Latencies spread over six decades, 1 us to 1 s, as a loaded system's are.
  std::uniform_real_distribution<double> exponent(3.0, 9.0);
  std::vector<std::uint64_t> samples;
  LatencyHistogram h;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<std::uint64_t>(std::pow(10.0, exponent(rng)));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  REQUIRE(h.count() == samples.size());
  CHECK(h.min() == samples.front());
  CHECK(h.max() == samples.back());
  for (double q : {0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0}) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
    const double exact = static_cast<double>(samples[std::max<std::size_t>(rank, 1) - 1]);
    const double got = static_cast<double>(h.percentile(q));
    INFO("q " << q << " exact " << exact << " histogram " << got);
    CHECK(std::abs(got - exact) <= exact * 0.004);
  }
}

TEST_CASE("small values are exact and merged histograms count both", "[load]") {
  LatencyHistogram a;
  LatencyHistogram b;
  for (std::uint64_t v = 1; v <= 100; ++v) (v % 2 ? a : b).record(v);
  a.merge(b);
  CHECK(a.count() == 100);
  CHECK(a.percentile(0.5) == 50);
  CHECK(a.percentile(0.99) == 99);
  CHECK(a.percentile(1.0) == 100);
  CHECK(a.mean() == Approx(50.5));
  CHECK(LatencyHistogram{}.percentile(0.5) == 0);
}
