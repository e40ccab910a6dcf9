#include "dynamo/ring/ring_params.hpp"

#include <limits>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "dynamo/errc.hpp"

using namespace dynamo::ring;

namespace {

constexpr std::uint64_t max64 = std::numeric_limits<std::uint64_t>::max();

// The position just before `p` on the (unwrapped) ring. REQUIRES: p is not {0, 0}.
Position before(Position p) {
  if (p.lo != 0) return {p.hi, p.lo - 1};
  return {p.hi - 1, max64};
}

}  // namespace

TEST_CASE("partition ranges tile the ring and agree with partition_of", "[ring][params]") {
  const std::uint32_t q = GENERATE(1u, 3u, 1000u, 1024u, 65536u);
  const RingParams params{HashKind::xxh3_128, q};
  CAPTURE(q);
  CHECK(partition_range(params, 0).first == Position{0, 0});
  CHECK(partition_range(params, q - 1).last == Position{max64, max64});
  for (std::uint32_t p = 0; p < q; ++p) {
    const PositionRange range = partition_range(params, p);
    REQUIRE(partition_of(params, range.first) == p);
    REQUIRE(partition_of(params, range.last) == p);
    if (p > 0) {
      // The position just before the range belongs to the previous partition, whose range ends
      // exactly there: no gap, no overlap.
      REQUIRE(partition_of(params, before(range.first)) == p - 1);
      REQUIRE(partition_range(params, p - 1).last == before(range.first));
    }
  }
}

TEST_CASE("partition_of cuts on hi into equal partitions", "[ring][params]") {
  const RingParams params{HashKind::xxh3_128, 4};
  CHECK(partition_of(params, {0x3fffffffffffffffULL, max64}) == 0);
  CHECK(partition_of(params, {0x4000000000000000ULL, 0}) == 1);
  CHECK(partition_of(params, {0xc000000000000000ULL, 0}) == 3);
  CHECK(partition_of(params, {max64, max64}) == 3);
  for (std::uint64_t hi : {std::uint64_t{0}, std::uint64_t{12345}, std::uint64_t{1} << 63,
                           max64 / 3, max64 - 7}) {
    const Position pos{hi, hi ^ 0x5555};
    CHECK(partition_range(params, partition_of(params, pos)).contains(pos));
  }
  CHECK_THROWS_AS(partition_range(params, 4), std::out_of_range);
}

TEST_CASE("ring params are validated at start-up", "[ring][params]") {
  CHECK(is_valid(RingParams{}));
  CHECK(RingParams{}.partitions == 1024);
  CHECK(RingParams{}.hash == HashKind::xxh3_128);
  CHECK_NOTHROW(validate(RingParams{HashKind::md5, 1}));
  CHECK_NOTHROW(validate(RingParams{HashKind::md5, 65536}));
  CHECK_THROWS_AS(validate(RingParams{HashKind::xxh3_128, 0}), std::invalid_argument);
  CHECK_THROWS_AS(validate(RingParams{HashKind::xxh3_128, 65537}), std::invalid_argument);
  CHECK_THROWS_AS(validate(RingParams{static_cast<HashKind>(3), 1024}), std::invalid_argument);
  CHECK_FALSE(is_valid(RingParams{HashKind::md5, 0}));
}

TEST_CASE("peers with another hash or partition count are incompatible", "[ring][params]") {
  const RingParams mine{HashKind::xxh3_128, 1024};
  CHECK_FALSE(check_compatible(mine, RingParams{HashKind::xxh3_128, 1024}));
  CHECK(check_compatible(mine, RingParams{HashKind::md5, 1024}) ==
        dynamo::errc::incompatible_peer);
  CHECK(check_compatible(mine, RingParams{HashKind::xxh3_128, 2048}) ==
        dynamo::errc::incompatible_peer);
}

TEST_CASE("ring params print readably", "[ring][params]") {
  std::ostringstream os;
  os << RingParams{HashKind::md5, 64};
  CHECK(os.str() == "{hash=md5, partitions=64}");
}
