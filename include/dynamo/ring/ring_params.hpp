#pragma once
// RingParams: the placement settings every node of a cluster must share. Two nodes that hash
// keys differently or cut the ring into a different number of partitions would disagree about
// who owns every key, so they refuse to talk (check_compatible).

#include <cassert>
#include <cstdint>
#include <ostream>
#include <system_error>

#include "dynamo/ring/key_hash.hpp"
#include "dynamo/ring/position.hpp"

namespace dynamo::detail {
__extension__ typedef unsigned __int128 uint128;
}  // namespace dynamo::detail

namespace dynamo::ring {

// The paper's strategy 3: the hash space is cut into Q equal partitions (tokens), fixed for the
// life of the cluster, and whole partitions are assigned to nodes.
struct RingParams {
  static constexpr std::uint32_t max_partitions = 65536;

  HashKind hash = HashKind::xxh3_128;
  std::uint32_t partitions = 1024;  // Q, in [1, max_partitions]

  friend bool operator==(const RingParams&, const RingParams&) = default;
};

// True when the hash kind is known and Q is in [1, RingParams::max_partitions].
bool is_valid(const RingParams& params) noexcept;

// Throws std::invalid_argument describing the mistake unless is_valid(params). For start-up
// configuration; decoders of peer data use is_valid.
void validate(const RingParams& params);

// Returns errc::incompatible_peer when the two clusters' hash or Q differ, else no error.
// The node layer calls this in its handshake and drops peers that fail it.
std::error_code check_compatible(const RingParams& mine, const RingParams& theirs) noexcept;

// Returns the partition holding `pos`: floor(pos.hi * Q / 2^64). Partitions are cut on the high
// 64 bits only, so partition p is a contiguous range in ring order (see partition_range).
// REQUIRES: is_valid(params).
inline std::uint32_t partition_of(const RingParams& params, Position pos) noexcept {
  const auto scaled = ::dynamo::detail::uint128{pos.hi} * params.partitions;
  return static_cast<std::uint32_t>(scaled >> 64);
}

// Returns the closed range of exactly those positions for which partition_of gives `partition`.
// Ranges of consecutive partitions are adjacent and together cover the ring without wrapping.
// REQUIRES: is_valid(params). Throws std::out_of_range if partition >= Q.
PositionRange partition_range(const RingParams& params, std::uint32_t partition);

// Cuts partition `partition` of a ring of `partitions` into `slices` equal contiguous slices, as
// the ring is cut into partitions, and returns the closed range of slice `slice`: the ring's
// partitions * slices slices taken in order. Merkle leaves and range transfers both use it, so
// a key falls in the same slice on every node.
// REQUIRES: partition < partitions, slice < slices, partitions * slices <= 2^32.
inline PositionRange slice_range(std::uint32_t partitions, std::uint32_t partition,
                                 std::uint32_t slices, std::uint32_t slice) noexcept {
  assert(partition < partitions && slice < slices);
  const auto total = ::dynamo::detail::uint128{partitions} * slices;
  const auto index = ::dynamo::detail::uint128{partition} * slices + slice;
  const auto first_hi = [&](::dynamo::detail::uint128 i) { return ((i << 64) + total - 1) / total; };
  return {Position{static_cast<std::uint64_t>(first_hi(index)), 0},
          Position{static_cast<std::uint64_t>(first_hi(index + 1) - 1), ~std::uint64_t{0}}};
}

// The slice of its partition that `pos` falls in, for the cut slice_range makes.
inline std::uint32_t slice_of(std::uint32_t partitions, std::uint32_t slices,
                              Position pos) noexcept {
  const auto total = ::dynamo::detail::uint128{partitions} * slices;
  const auto index = static_cast<std::uint64_t>((::dynamo::detail::uint128{pos.hi} * total) >> 64);
  return static_cast<std::uint32_t>(index % slices);
}

std::ostream& operator<<(std::ostream& os, const RingParams& params);

}  // namespace dynamo::ring
