#include "dynamo/ring/ring.hpp"

#include <set>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "dynamo/ring/partition_planner.hpp"
#include "ring_test_support.hpp"

using namespace dynamo::ring;
using dynamo::ring::testing::make_member;
using dynamo::ring::testing::make_members;
using dynamo::ring::testing::names_of;
using dynamo::ring::testing::zones_of;

TEST_CASE("a ring indexes members by name and routes keys by hash", "[ring]") {
  const RingParams params{HashKind::xxh3_128, 256};
  auto members = assign_initial(params, make_members(4));
  std::swap(members[0], members[3]);
  const Ring ring = Ring::build(params, 3, members);
  CHECK(ring.size() == 4);
  CHECK(ring.replicas() == 3);
  CHECK(ring.params() == params);
  CHECK(ring.member(0).name == "n00");
  CHECK(ring.member(3).name == "n03");
  CHECK(ring.find("n02") == NodeIndex{2});
  CHECK_FALSE(ring.find("n9"));
  for (std::string key : {"a", "cart:42", "0123456789abcdef"}) {
    const std::uint32_t p = partition_of(params, hash_key(params.hash, key));
    CHECK(ring.partition_of_key(key) == p);
    CHECK(ring.preference_list_for_key(key).data() == ring.preference_list(p).data());
    CHECK(ring.primaries_for_key(key).size() == 3);
  }
  for (NodeIndex n = 0; n < ring.size(); ++n) {
    for (std::uint32_t p : ring.partitions_of(n)) CHECK(ring.owner(p) == n);
  }
}

TEST_CASE("every preference list holds all nodes once, owner first", "[ring]") {
  const RingParams params{HashKind::md5, 1024};
  const std::uint32_t n = GENERATE(1u, 3u, 5u);
  const int s = GENERATE(1, 2, 3, 8);
  CAPTURE(n, s);
  const Ring ring = Ring::build(params, n, assign_initial(params, make_members(s)));
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    const auto list = ring.preference_list(p);
    REQUIRE(list.size() == static_cast<std::size_t>(s));
    REQUIRE(std::set<NodeIndex>(list.begin(), list.end()).size() == list.size());
    REQUIRE(ring.primaries(p).size() == std::min<std::size_t>(n, s));
    REQUIRE(ring.primaries(p).data() == list.data());
    REQUIRE(list[0] == ring.owner(p));
    const auto& owned = ring.member(list[0]).partitions;
    REQUIRE(std::binary_search(owned.begin(), owned.end(), p));
  }
}

TEST_CASE("the preference list walks clockwise", "[ring]") {
  // Partitions: 0:a 1:a 2:b 3:c 4:a 5:d. From 1 the walk meets a, b, c, then d.
  const RingParams params{HashKind::xxh3_128, 6};
  std::vector<Member> members{make_member("a"), make_member("b"), make_member("c"),
                              make_member("d"), make_member("e")};
  members[0].partitions = {0, 1, 4};
  members[1].partitions = {2};
  members[2].partitions = {3};
  members[3].partitions = {5};
  const Ring ring = Ring::build(params, 2, members);
  const std::vector<NodeIndex> from1{0, 1, 2, 3, 4};  // e owns nothing: last
  const std::vector<NodeIndex> from5{3, 0, 1, 2, 4};  // wraps past the end
  CHECK(std::vector<NodeIndex>(ring.preference_list(1).begin(), ring.preference_list(1).end()) ==
        from1);
  CHECK(std::vector<NodeIndex>(ring.preference_list(5).begin(), ring.preference_list(5).end()) ==
        from5);
  CHECK(ring.primaries(5).size() == 2);
  CHECK(ring.partitions_of(4).empty());
}

TEST_CASE("primaries prefer distinct zones", "[ring][zones]") {
  const RingParams params{HashKind::xxh3_128, 1024};
  SECTION("three zones, N = 3: every top-N spans three zones") {
    const auto members = assign_initial(params, make_members(9, {"a", "b", "c"}));
    const Ring ring = Ring::build(params, 3, members);
    for (std::uint32_t p = 0; p < params.partitions; ++p) {
      REQUIRE(zones_of(ring, ring.primaries(p)).size() == 3);
    }
  }
  SECTION("zones win over walk order") {
    // Walk from 0: x1 x2 y1; with N = 2 the primaries are x1 and y1, x2 is a fallback.
    std::vector<Member> members{make_member("x1", "x"), make_member("x2", "x"),
                                make_member("y1", "y")};
    members[0].partitions = {0};
    members[1].partitions = {1};
    members[2].partitions = {2};
    const Ring ring = Ring::build(RingParams{HashKind::xxh3_128, 3}, 2, members);
    CHECK(names_of(ring, ring.primaries(0)) == std::set<std::string>{"x1", "y1"});
    CHECK(ring.preference_list(0)[2] == *ring.find("x2"));
  }
  SECTION("two zones, N = 3: three distinct nodes covering both zones") {
    const auto members = assign_initial(params, make_members(6, {"a", "b"}));
    const Ring ring = Ring::build(params, 3, members);
    for (std::uint32_t p = 0; p < params.partitions; ++p) {
      REQUIRE(names_of(ring, ring.primaries(p)).size() == 3);
      REQUIRE(zones_of(ring, ring.primaries(p)).size() == 2);
    }
  }
  SECTION("zones still cover after a join into a zone") {
    auto members = assign_initial(params, make_members(6, {"a", "b", "c"}));
    members = plan_join(params, members, make_member("new", "b"));
    const Ring ring = Ring::build(params, 3, members);
    for (std::uint32_t p = 0; p < params.partitions; ++p) {
      REQUIRE(zones_of(ring, ring.primaries(p)).size() == 3);
    }
  }
}

TEST_CASE("build rejects inconsistent assignments with an error", "[ring]") {
  const RingParams params{HashKind::xxh3_128, 16};
  const auto good = assign_initial(params, make_members(3));
  std::error_code ec = make_error_code(std::errc::io_error);
  REQUIRE(Ring::build(params, 2, good, ec));
  CHECK_FALSE(ec);

  const auto rejected = [&](std::vector<Member> members, std::uint32_t n = 2,
                            RingParams p = RingParams{HashKind::xxh3_128, 16}) {
    std::error_code error;
    const bool failed = !Ring::build(p, n, members, error);
    CHECK_THROWS_AS(Ring::build(p, n, members), std::invalid_argument);
    return failed && error == std::errc::invalid_argument;
  };
  auto unowned = good;
  unowned[1].partitions.pop_back();
  CHECK(rejected(unowned));
  auto twice = good;
  twice[2].partitions.push_back(twice[0].partitions[0]);
  CHECK(rejected(twice));
  auto beyond = good;
  beyond[0].partitions.push_back(16);
  CHECK(rejected(beyond));
  auto duplicate = good;
  duplicate[1].name = duplicate[0].name;
  CHECK(rejected(duplicate));
  auto unnamed = good;
  unnamed[2].name.clear();
  CHECK(rejected(unnamed));
  auto weightless = good;
  weightless[0].weight = 0;
  CHECK(rejected(weightless));
  CHECK(rejected({}));
  CHECK(rejected(good, 0));
  CHECK(rejected(good, 2, RingParams{HashKind::xxh3_128, 0}));
  CHECK(rejected(good, 2, RingParams{HashKind::xxh3_128, 32}));  // partitions 16..31 unowned
}

TEST_CASE("rings are regular values", "[ring]") {
  const RingParams params{HashKind::xxh3_128, 32};
  auto members = assign_initial(params, make_members(3));
  const Ring a = Ring::build(params, 2, members);
  std::reverse(members.begin(), members.end());
  for (Member& m : members) std::reverse(m.partitions.begin(), m.partitions.end());
  const Ring b = Ring::build(params, 2, members);
  CHECK(a == b);
  const Ring copy = a;
  CHECK(copy == a);
  CHECK(copy.preference_list(7).size() == 3);
  CHECK_FALSE(a == Ring::build(params, 3, members));
  std::ostringstream os;
  os << a;
  CHECK(os.str().find("N=2") != std::string::npos);
  CHECK(os.str().find("n01") != std::string::npos);
}
