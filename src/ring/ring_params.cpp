#include "dynamo/ring/ring_params.hpp"

#include <limits>
#include <stdexcept>
#include <string>

#include "dynamo/errc.hpp"

namespace dynamo::ring {
namespace {

// The smallest hi with floor(hi * Q / 2^64) >= p, i.e. ceil(p * 2^64 / Q); may be 2^64 for p == Q.
detail::uint128 first_hi(std::uint32_t partition, std::uint32_t q) {
  return ((detail::uint128{partition} << 64) + q - 1) / q;
}

}  // namespace

bool is_valid(const RingParams& params) noexcept {
  return is_known(params.hash) && params.partitions >= 1 &&
         params.partitions <= RingParams::max_partitions;
}

void validate(const RingParams& params) {
  if (!is_known(params.hash)) {
    throw std::invalid_argument("dynamo: unknown ring hash kind " +
                                std::to_string(static_cast<unsigned>(params.hash)));
  }
  if (params.partitions < 1 || params.partitions > RingParams::max_partitions) {
    throw std::invalid_argument("dynamo: partition count " + std::to_string(params.partitions) +
                                " is outside [1, " +
                                std::to_string(RingParams::max_partitions) + "]");
  }
}

std::error_code check_compatible(const RingParams& mine, const RingParams& theirs) noexcept {
  if (mine != theirs) return errc::incompatible_peer;
  return {};
}

PositionRange partition_range(const RingParams& params, std::uint32_t partition) {
  if (partition >= params.partitions) {
    throw std::out_of_range("dynamo: partition " + std::to_string(partition) +
                            " is not below the partition count " +
                            std::to_string(params.partitions));
  }
  constexpr auto max64 = std::numeric_limits<std::uint64_t>::max();
  const auto first = static_cast<std::uint64_t>(first_hi(partition, params.partitions));
  // Q <= 2^16 makes every partition at least 2^48 wide, so the end never precedes the start.
  const auto last = static_cast<std::uint64_t>(first_hi(partition + 1, params.partitions) - 1);
  return {Position{first, 0}, Position{last, max64}};
}

std::ostream& operator<<(std::ostream& os, const RingParams& params) {
  return os << "{hash=" << params.hash << ", partitions=" << params.partitions << '}';
}

}  // namespace dynamo::ring
