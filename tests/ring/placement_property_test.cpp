// Laws of placement over 100k keys: joins and leaves move only the keys they must, and weights
// set each node's share of the keys.

#include <algorithm>
#include <cmath>
#include <map>

#include <catch2/catch.hpp>

#include "dynamo/ring/partition_planner.hpp"
#include "dynamo/ring/ring.hpp"
#include "ring_test_support.hpp"

using namespace dynamo::ring;
using dynamo::ring::testing::make_member;
using dynamo::ring::testing::make_members;
using dynamo::ring::testing::names_of;
using dynamo::ring::testing::test_keys;

namespace {

constexpr std::uint32_t n_replicas = 3;

// How `before` and `after` differ for the test keys, where `changed` is the node that joined or
// left. A key "moves" when its owner (first primary) changes.
struct Movement {
  std::size_t moved = 0;  // keys whose owner changed
  std::size_t changed_holds = 0;  // keys the changed node owns in the ring that includes it
  std::size_t foreign_moves = 0;  // keys whose owner changed to or from some other node
  std::size_t foreign_replica_moves = 0;  // keys whose primaries gained some other node
};

// How many of the test keys fall in each partition. Keys of one partition always move together,
// so counting per partition checks every key without looking each one up in both rings.
std::vector<std::size_t> keys_per_partition(const Ring& ring) {
  std::vector<std::size_t> counts(ring.params().partitions, 0);
  for (const std::string& key : test_keys()) ++counts[ring.partition_of_key(key)];
  return counts;
}

// For a join, `small` is the ring before and `large` the ring after; for a leave, the other way
// round. The law is the same: every owner change involves the changed node, and every primary in
// `large` other than the changed node was already a primary in `small`.
Movement compare(const Ring& small, const Ring& large, const std::string& changed) {
  REQUIRE(small.params() == large.params());
  const std::vector<std::size_t> keys = keys_per_partition(small);
  Movement m;
  for (std::uint32_t p = 0; p < small.params().partitions; ++p) {
    const std::string& small_owner = small.member(small.owner(p)).name;
    const std::string& large_owner = large.member(large.owner(p)).name;
    if (large_owner == changed) m.changed_holds += keys[p];
    if (small_owner != large_owner) {
      m.moved += keys[p];
      if (large_owner != changed) m.foreign_moves += keys[p];
    }
    auto extra = names_of(large, large.primaries(p));
    extra.erase(changed);
    for (const std::string& name : names_of(small, small.primaries(p))) extra.erase(name);
    if (!extra.empty()) m.foreign_replica_moves += keys[p];
  }
  return m;
}

bool within_relative(double actual, double expected, double tolerance) {
  return std::abs(actual - expected) <= tolerance * expected;
}

// The law of a join or leave: keys move only to or from the changed node, and it holds (or held)
// `expected_share` of them, within 10%.
void check_only_changed_node_moves(const Movement& m, double expected_share) {
  CHECK(m.foreign_moves == 0);
  CHECK(m.foreign_replica_moves == 0);
  CHECK(m.moved == m.changed_holds);
  const double share = static_cast<double>(m.changed_holds) / test_keys().size();
  CHECK(within_relative(share, expected_share, 0.10));
}

// Each owner's fraction of the test keys, looked up key by key.
std::map<std::string, double> owner_shares(const Ring& ring) {
  std::map<std::string, double> shares;
  for (const std::string& key : test_keys()) {
    shares[ring.member(ring.preference_list_for_key(key)[0]).name] += 1.0 / test_keys().size();
  }
  return shares;
}

}  // namespace

TEST_CASE("a joiner takes 1/(S+1) of the keys, and keys move only to it", "[ring][property]") {
  const HashKind kind = GENERATE(HashKind::xxh3_128, HashKind::md5);
  const int s = GENERATE(1, 3, 4, 8, 16);
  CAPTURE(kind, s);
  const RingParams params{kind, 1024};
  const auto members = assign_initial(params, make_members(s));
  const Ring before = Ring::build(params, n_replicas, members);
  // "a-new" sorts first, so every NodeIndex shifts: the law must hold by name.
  const auto joined = plan_join(params, members, make_member("a-new"));
  const Ring after = Ring::build(params, n_replicas, joined);
  check_only_changed_node_moves(compare(before, after, "a-new"), 1.0 / (s + 1));
}

TEST_CASE("a chain of joins keeps moving keys only to each joiner", "[ring][property]") {
  const RingParams params{HashKind::xxh3_128, 1024};
  auto members = assign_initial(params, make_members(3));
  for (int i = 0; i < 8; ++i) {
    const std::string name = "j" + std::to_string(i);
    CAPTURE(name);
    const Ring before = Ring::build(params, n_replicas, members);
    members = plan_join(params, members, make_member(name));
    const Ring after = Ring::build(params, n_replicas, members);
    check_only_changed_node_moves(compare(before, after, name), 1.0 / (4 + i));
  }
}

TEST_CASE("a leave moves only the leaver's keys", "[ring][property]") {
  const HashKind kind = GENERATE(HashKind::xxh3_128, HashKind::md5);
  const int s = GENERATE(2, 4, 8, 16);
  CAPTURE(kind, s);
  const RingParams params{kind, 1024};
  const auto members = assign_initial(params, make_members(s));
  const Ring before = Ring::build(params, n_replicas, members);
  const Ring after = Ring::build(params, n_replicas, plan_leave(params, members, "n01"));

  check_only_changed_node_moves(compare(after, before, "n01"), 1.0 / s);
}

TEST_CASE("weights 1:2:4 give key shares of 1/7, 2/7, 4/7", "[ring][property]") {
  const HashKind kind = GENERATE(HashKind::xxh3_128, HashKind::md5);
  CAPTURE(kind);
  const RingParams params{kind, 1024};
  const Ring ring = Ring::build(params, n_replicas,
                                assign_initial(params, {make_member("w1", "", 1),
                                                        make_member("w2", "", 2),
                                                        make_member("w4", "", 4)}));
  const auto shares = owner_shares(ring);
  CHECK(within_relative(shares.at("w1"), 1.0 / 7, 0.10));
  CHECK(within_relative(shares.at("w2"), 2.0 / 7, 0.10));
  CHECK(within_relative(shares.at("w4"), 4.0 / 7, 0.10));
}

TEST_CASE("equal nodes get equal key shares", "[ring][property]") {
  const HashKind kind = GENERATE(HashKind::xxh3_128, HashKind::md5);
  CAPTURE(kind);
  const RingParams params{kind, 1024};
  const Ring ring = Ring::build(params, n_replicas, assign_initial(params, make_members(10)));
  for (const auto& [name, share] : owner_shares(ring)) {
    CAPTURE(name);
    CHECK(within_relative(share, 0.1, 0.10));
  }
}
