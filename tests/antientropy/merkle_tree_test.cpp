#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "dynamo/antientropy/merkle_tree.hpp"
#include "dynamo/ring/ring_params.hpp"

using dynamo::Siblings;
using dynamo::antientropy::key_state_hash;
using dynamo::antientropy::MerkleTree;
using dynamo::ring::Position;

namespace {

// The state after `writes` successive writes by one actor: its dot's counter is `writes`.
Siblings version(std::uint64_t actor, std::uint64_t writes, bool tombstone = false) {
  Siblings s;
  for (std::uint64_t i = 1; i <= writes; ++i) {
    s.add(s.successor(dynamo::ActorId{actor}, i, s.clock(), "v", tombstone && i == writes));
  }
  return s;
}

Position in_partition(std::mt19937_64& rng, const dynamo::ring::RingParams& params,
                      std::uint32_t partition) {
  const auto range = dynamo::ring::partition_range(params, partition);
  const std::uint64_t span = range.last.hi - range.first.hi;
  return Position{range.first.hi + rng() % (span + 1), rng()};
}

}  // namespace

TEST_CASE("leaves cut a partition into contiguous slices that cover it exactly",
          "[antientropy][merkle]") {
  for (const std::uint32_t q : {1u, 7u, 64u, 1024u}) {
    for (const unsigned depth : {1u, 2u, 3u}) {
      const dynamo::ring::RingParams params{dynamo::ring::HashKind::xxh3_128, q};
      const std::uint32_t partition = q / 2;
      const MerkleTree tree(q, partition, depth);
      const auto range = dynamo::ring::partition_range(params, partition);
      const std::uint32_t leaves = tree.width(depth);
      CHECK(tree.leaf_range(0).first == range.first);
      CHECK(tree.leaf_range(leaves - 1).last == range.last);
      for (std::uint32_t leaf = 0; leaf + 1 < leaves; ++leaf) {
        const auto here = tree.leaf_range(leaf);
        const auto next = tree.leaf_range(leaf + 1);
        REQUIRE(here.first <= here.last);
        REQUIRE(next.first.hi == here.last.hi + 1);
        REQUIRE(tree.leaf_of(here.first) == leaf);
        REQUIRE(tree.leaf_of(here.last) == leaf);
      }
    }
  }
}

TEST_CASE("equal contents give equal trees whatever the order, and any difference shows at the root",
          "[antientropy][merkle]") {
  const dynamo::ring::RingParams params{dynamo::ring::HashKind::xxh3_128, 64};
  std::mt19937_64 rng(3);
  std::vector<std::pair<Position, std::uint64_t>> keys;
  for (int i = 0; i < 500; ++i) {
    keys.emplace_back(in_partition(rng, params, 9),
                      key_state_hash("k" + std::to_string(i), version(1, 1 + i % 3)));
  }
  MerkleTree one(64, 9, 2), two(64, 9, 2);
  for (const auto& [pos, h] : keys) one.update(pos, 0, h);
  std::shuffle(keys.begin(), keys.end(), rng);
  for (const auto& [pos, h] : keys) two.update(pos, 0, h);
  CHECK(one.root() == two.root());
  CHECK(one.root() != 0);
  // Change one key: the root and exactly that key's path differ.
  const auto [pos, h] = keys[17];
  two.update(pos, h, h ^ 0x5555);
  CHECK(one.root() != two.root());
  const std::uint32_t leaf = one.leaf_of(pos);
  for (std::uint32_t i = 0; i < one.width(2); ++i) {
    CHECK((one.hash(2, i) != two.hash(2, i)) == (i == leaf));
  }
  // Undo it, and remove everything: back to equal, then to empty.
  two.update(pos, h ^ 0x5555, h);
  CHECK(one.root() == two.root());
  for (const auto& [p, hash] : keys) two.update(p, hash, 0);
  CHECK(two.root() == 0);
}

TEST_CASE("a key's state hash depends on its name, dots and tombstones only",
          "[antientropy][merkle]") {
  CHECK(key_state_hash("k", version(1, 1)) == key_state_hash("k", version(1, 1)));
  CHECK(key_state_hash("k", version(1, 1)) != key_state_hash("j", version(1, 1)));
  CHECK(key_state_hash("k", version(1, 1)) != key_state_hash("k", version(1, 2)));
  CHECK(key_state_hash("k", version(1, 1)) != key_state_hash("k", version(2, 1)));
  CHECK(key_state_hash("k", version(1, 1)) != key_state_hash("k", version(1, 1, true)));
  CHECK(key_state_hash("", Siblings{}) != 0);
}
