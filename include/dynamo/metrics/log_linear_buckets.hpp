#pragma once
// LogLinearBuckets: the bucket arithmetic of a log-linear histogram, as HdrHistogram keeps it.
// Values below 2^(SubBucketBits+1) have a bucket each; above, every power of two is cut into
// 2^SubBucketBits equal buckets, so a value read back from its bucket is within
// 2^-SubBucketBits of the truth. Values from 2^(MaxBits-1) up share the last bucket.
// Shared by the metrics' latency histograms (coarse: 8 buckets per power of two) and the load
// benchmark's (fine: 128).

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace dynamo::metrics {

template <int SubBucketBits, int MaxBits>
struct LogLinearBuckets {
  static_assert(SubBucketBits > 0 && MaxBits > SubBucketBits + 1 && MaxBits <= 64);
  static constexpr std::uint64_t sub_buckets = std::uint64_t{1} << SubBucketBits;
  static constexpr std::size_t count = (MaxBits - SubBucketBits + 1) * sub_buckets;

  static constexpr std::size_t index_of(std::uint64_t v) {
    const int bits = std::bit_width(v);
    if (bits <= SubBucketBits + 1) return static_cast<std::size_t>(v);
    const int shift = std::min(bits, MaxBits) - (SubBucketBits + 1);
    const std::uint64_t top = bits > MaxBits ? 2 * sub_buckets - 1 : v >> shift;
    return static_cast<std::size_t>((shift + 1) * sub_buckets + (top - sub_buckets));
  }
  // The smallest value of bucket `index`; the bucket holds [lowest_of(i), lowest_of(i + 1)).
  static constexpr std::uint64_t lowest_of(std::size_t index) {
    if (index < 2 * sub_buckets) return index;
    const std::uint64_t shift = index / sub_buckets - 1;
    const std::uint64_t top = index % sub_buckets + sub_buckets;
    return top << shift;
  }
  static constexpr std::uint64_t middle_of(std::size_t index) {
    if (index < 2 * sub_buckets) return index;
    const std::uint64_t shift = index / sub_buckets - 1;
    return lowest_of(index) + ((std::uint64_t{1} << shift) >> 1);
  }
};

}  // namespace dynamo::metrics
