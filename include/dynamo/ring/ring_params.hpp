#pragma once
// RingParams: the placement settings every node of a cluster must share. Two nodes that hash
// keys differently or cut the ring into a different number of partitions would disagree about
// who owns every key, so they refuse to talk (check_compatible).

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

std::ostream& operator<<(std::ostream& os, const RingParams& params);

}  // namespace dynamo::ring
