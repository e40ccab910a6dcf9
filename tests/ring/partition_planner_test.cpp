#include "dynamo/ring/partition_planner.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "ring_test_support.hpp"

using namespace dynamo::ring;
using dynamo::ring::testing::make_member;
using dynamo::ring::testing::make_members;

namespace {

// Owner name of every partition.
std::vector<std::string> owners(const RingParams& params, const std::vector<Member>& members) {
  std::vector<std::string> owner(params.partitions);
  for (const Member& m : members) {
    for (std::uint32_t p : m.partitions) owner.at(p) = m.name;
  }
  return owner;
}

std::map<std::string, std::size_t> counts(const std::vector<Member>& members) {
  std::map<std::string, std::size_t> c;
  for (const Member& m : members) c[m.name] = m.partitions.size();
  return c;
}

}  // namespace

TEST_CASE("assign_initial deals partitions in proportion to weight", "[ring][planner]") {
  const RingParams params{HashKind::xxh3_128, 1024};
  std::vector<Member> input{make_member("a", "", 1), make_member("b", "", 2),
                            make_member("c", "", 4)};
  const std::vector<Member> out = assign_initial(params, input);
  REQUIRE(out.size() == 3);
  // Q * w / W = 146.3, 292.6, 585.1: each within one of its fair share.
  CHECK(std::abs(static_cast<double>(out[0].partitions.size()) - 1024.0 / 7) <= 1);
  CHECK(std::abs(static_cast<double>(out[1].partitions.size()) - 2048.0 / 7) <= 1);
  CHECK(std::abs(static_cast<double>(out[2].partitions.size()) - 4096.0 / 7) <= 1);
}

TEST_CASE("assign_initial interleaves nodes and zones around the ring", "[ring][planner]") {
  const RingParams params{HashKind::xxh3_128, 1020};
  // Q is a multiple of the round-robin period here; otherwise the wrap point may join two
  // partitions of one node or zone.
  SECTION("equal weights: consecutive partitions on different nodes") {
    const auto owner = owners(params, assign_initial(params, make_members(5)));
    for (std::uint32_t p = 0; p < params.partitions; ++p) {
      REQUIRE(owner[p] != owner[(p + 1) % params.partitions]);
    }
  }
  SECTION("three zones of unequal size: consecutive partitions in different zones") {
    std::vector<Member> input{make_member("a1", "za"), make_member("a2", "za"),
                              make_member("b1", "zb"), make_member("b2", "zb"),
                              make_member("c1", "zc", 2)};
    const auto out = assign_initial(params, input);
    std::map<std::string, std::string> zone;
    for (const Member& m : out) zone[m.name] = m.zone;
    const auto owner = owners(params, out);
    for (std::uint32_t p = 0; p < params.partitions; ++p) {
      REQUIRE(zone[owner[p]] != zone[owner[(p + 1) % params.partitions]]);
    }
  }
}

TEST_CASE("plan_join moves partitions only to the joiner, spread out", "[ring][planner]") {
  const RingParams params{HashKind::xxh3_128, 1024};
  const int s = GENERATE(1, 2, 3, 7, 16);
  const auto before = assign_initial(params, make_members(s));
  const auto after = plan_join(params, before, make_member("joiner"));
  const auto old_owner = owners(params, before);
  const auto new_owner = owners(params, after);
  std::vector<std::uint32_t> taken;
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    if (new_owner[p] != old_owner[p]) {
      REQUIRE(new_owner[p] == "joiner");
      taken.push_back(p);
    }
  }
  const double fair = 1024.0 / (s + 1);
  CHECK(std::abs(static_cast<double>(taken.size()) - fair) <= 1);
  for (const auto& [name, count] : counts(after)) CHECK(std::abs(count - fair) <= 1);
  // No two of the joiner's partitions are neighbours.
  for (std::size_t i = 0; i < taken.size(); ++i) {
    const std::uint32_t next = i + 1 < taken.size() ? taken[i + 1] : taken[0] + 1024;
    CHECK(next - taken[i] >= 2);
  }
}

TEST_CASE("plan_join takes from the most over-target members", "[ring][planner]") {
  const RingParams params{HashKind::xxh3_128, 100};
  // "big" holds far more than its fair share; the joiner should take only from it.
  std::vector<Member> current{make_member("big"), make_member("small")};
  for (std::uint32_t p = 0; p < 100; ++p) current[p % 10 == 0 ? 1 : 0].partitions.push_back(p);
  const auto after = plan_join(params, current, make_member("joiner"));
  const auto c = counts(after);
  CHECK(c.at("joiner") == 33);
  CHECK(c.at("small") == 10);
  CHECK(c.at("big") == 57);
}

TEST_CASE("plan_leave hands only the leaver's partitions to the others", "[ring][planner]") {
  const RingParams params{HashKind::xxh3_128, 1024};
  const int s = GENERATE(2, 3, 5, 17);
  const auto before = assign_initial(params, make_members(s));
  const auto after = plan_leave(params, before, "n01");
  REQUIRE(after.size() == static_cast<std::size_t>(s - 1));
  const auto old_owner = owners(params, before);
  const auto new_owner = owners(params, after);
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    REQUIRE(new_owner[p] != "n01");
    if (old_owner[p] != "n01") REQUIRE(new_owner[p] == old_owner[p]);
  }
  const double fair = 1024.0 / (s - 1);
  for (const auto& [name, count] : counts(after)) CHECK(std::abs(count - fair) <= 1);
}

TEST_CASE("plans do not depend on the order members are given in", "[ring][planner]") {
  const RingParams params{HashKind::md5, 512};
  std::vector<Member> members = make_members(6, {"z1", "z2"});
  members[2].weight = 3;
  std::vector<Member> reversed(members.rbegin(), members.rend());
  std::vector<Member> rotated = members;
  std::rotate(rotated.begin(), rotated.begin() + 4, rotated.end());

  const auto initial = assign_initial(params, members);
  CHECK(assign_initial(params, reversed) == initial);
  CHECK(assign_initial(params, rotated) == initial);
  CHECK(std::is_sorted(initial.begin(), initial.end(),
                       [](const Member& a, const Member& b) { return a.name < b.name; }));

  std::vector<Member> shuffled(initial.rbegin(), initial.rend());
  std::swap(shuffled[1], shuffled[4]);
  const Member joiner = make_member("m", "z1", 2);
  CHECK(plan_join(params, shuffled, joiner) == plan_join(params, initial, joiner));
  CHECK(plan_leave(params, shuffled, "n03") == plan_leave(params, initial, "n03"));
}

TEST_CASE("the planner rejects bad input", "[ring][planner]") {
  const RingParams params{HashKind::xxh3_128, 64};
  const auto good = assign_initial(params, make_members(3));
  SECTION("assign_initial") {
    CHECK_THROWS_AS(assign_initial(params, {}), std::invalid_argument);
    CHECK_THROWS_AS(assign_initial(params, {make_member("a"), make_member("a")}),
                    std::invalid_argument);
    CHECK_THROWS_AS(assign_initial(params, {make_member("a", "", 0)}), std::invalid_argument);
    CHECK_THROWS_AS(assign_initial(params, {make_member("")}), std::invalid_argument);
    CHECK_THROWS_AS(assign_initial(RingParams{HashKind::md5, 0}, {make_member("a")}),
                    std::invalid_argument);
  }
  SECTION("plan_join") {
    CHECK_THROWS_AS(plan_join(params, good, make_member("n01")), std::invalid_argument);
    CHECK_THROWS_AS(plan_join(params, good, make_member("")), std::invalid_argument);
    CHECK_THROWS_AS(plan_join(params, good, make_member("x", "", 0)), std::invalid_argument);
    auto broken = good;
    broken[0].partitions.pop_back();
    CHECK_THROWS_AS(plan_join(params, broken, make_member("x")), std::invalid_argument);
  }
  SECTION("plan_leave") {
    CHECK_THROWS_AS(plan_leave(params, good, "nobody"), std::invalid_argument);
    const auto alone = assign_initial(params, make_members(1));
    CHECK_THROWS_AS(plan_leave(params, alone, "n00"), std::invalid_argument);
    auto broken = good;
    broken[1].partitions.push_back(broken[0].partitions[0]);
    CHECK_THROWS_AS(plan_leave(params, broken, "n02"), std::invalid_argument);
  }
}
