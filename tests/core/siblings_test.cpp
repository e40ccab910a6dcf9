#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>

#include "dynamo/core/siblings.hpp"

using dynamo::ActorId;
using dynamo::Siblings;
using dynamo::VectorClock;
using dynamo::Versioned;

namespace {
const ActorId x{1}, y{2};

// A value is a set of items written as "i1,i2,...", so a merge is a set union.
std::set<std::string> items_of(const std::string& value) {
  std::set<std::string> items;
  std::stringstream in(value);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.insert(item);
  }
  return items;
}

std::string value_of(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += i + ",";
  return out;
}

// One client's read-resolve-write cycle over a replica's sibling set.
struct CartClient {
  std::string name;
  VectorClock context;
  std::set<std::string> seen;

  void read(const Siblings& replica) {
    context = replica.clock();
    seen.clear();
    for (const Versioned& v : replica.versions()) {
      for (const auto& item : items_of(v.value)) seen.insert(item);
    }
  }

  void write(Siblings& replica, ActorId coordinator, int round) {
    seen.insert(name + std::to_string(round));
    replica.add(replica.successor(coordinator, round, context, value_of(seen), false));
  }
};
}  // namespace

TEST_CASE("a version that has seen another replaces it", "[siblings]") {
  Siblings s;
  const Versioned v1 = s.successor(x, 1, {}, "v1", false);
  REQUIRE(s.add(v1));
  const Versioned v2 = s.successor(x, 2, s.clock(), "v2", false);
  REQUIRE(s.add(v2));
  REQUIRE(s.size() == 1);
  CHECK(s.versions()[0].value == "v2");
  CHECK_FALSE(s.add(v1));  // an old version arriving late is already covered
  CHECK(s.size() == 1);
  CHECK_FALSE(s.add(v2));  // a duplicate is ignored
}

TEST_CASE("two blind writes through the same coordinator stay two siblings", "[siblings]") {
  Siblings s;
  s.add(s.successor(x, 1, {}, "a", false));
  s.add(s.successor(x, 2, {}, "b", false));
  REQUIRE(s.size() == 2);
  CHECK(s.versions()[0].dot.counter == 1);
  CHECK(s.versions()[1].dot.counter == 2);
  // A write with the context of a read supersedes both.
  s.add(s.successor(x, 3, s.clock(), "merged", false));
  REQUIRE(s.size() == 1);
  CHECK(s.versions()[0].value == "merged");
}

TEST_CASE("a stale context replaces only what it saw", "[siblings]") {
  Siblings s;
  s.add(s.successor(x, 1, {}, "v1", false));
  const VectorClock stale = s.clock();
  s.add(s.successor(y, 2, stale, "v2-by-y", false));
  s.add(s.successor(x, 3, stale, "v3-by-x", false));
  REQUIRE(s.size() == 2);
  CHECK(s.versions()[0].value == "v3-by-x");
  CHECK(s.versions()[1].value == "v2-by-y");
}

TEST_CASE("tombstones are versions that supersede and can be superseded", "[siblings]") {
  Siblings s;
  s.add(s.successor(x, 1, {}, "v1", false));
  s.add(s.successor(x, 2, s.clock(), "ignored", true));
  REQUIRE(s.size() == 1);
  CHECK(s.versions()[0].tombstone);
  CHECK(s.versions()[0].value.empty());
  CHECK_FALSE(s.has_live_value());
  s.add(s.successor(y, 3, s.clock(), "back", false));
  CHECK(s.has_live_value());
  CHECK(s.size() == 1);
}

TEST_CASE("successor dots are unique per coordinator even after versions are replaced",
          "[siblings]") {
  Siblings s;
  std::set<dynamo::Dot> dots;
  for (int i = 0; i < 20; ++i) {
    const Versioned v = s.successor(x, i, i % 3 == 0 ? VectorClock{} : s.clock(), "v", false);
    CHECK(dots.insert(v.dot).second);
    s.add(v);
  }
}

TEST_CASE("successor prunes its past so the version's clock respects the bound", "[siblings]") {
  VectorClock wide;
  for (std::uint64_t i = 10; i < 30; ++i) wide.witness(ActorId{i}, 1, i);
  const Versioned v = Siblings{}.successor(x, 100, wide, "v", false, 10);
  CHECK(v.clock().size() == 10);
  CHECK(v.clock().counter(x) == 1);
  CHECK(v.past.counter(ActorId{29}) == 1);  // newest entries survive
  CHECK(v.past.counter(ActorId{10}) == 0);
}

TEST_CASE("two clients interleaving read-resolve-write do not multiply siblings",
          "[siblings][explosion]") {
  // Both clients go through one coordinator: the case where plain version vectors either lose a
  // write or, with client ids, grow a sibling per write (Riak's "sibling explosion").
  Siblings replica;
  CartClient a{"a", {}, {}}, b{"b", {}, {}};
  std::size_t most = 0;
  for (int round = 1; round <= 100; ++round) {
    a.read(replica);
    b.read(replica);
    a.write(replica, x, round);
    b.write(replica, x, round);
    most = std::max(most, replica.size());
  }
  CHECK(most <= 2);
  std::set<std::string> all;
  for (const Versioned& v : replica.versions()) {
    for (const auto& item : items_of(v.value)) all.insert(item);
  }
  CHECK(all.size() == 200);
  CHECK(all.count("a1") == 1);
  CHECK(all.count("b100") == 1);
}

TEST_CASE("two clients through two coordinators that sync also stay within two siblings",
          "[siblings][explosion]") {
  Siblings rx, ry;
  CartClient a{"a", {}, {}}, b{"b", {}, {}};
  for (int round = 1; round <= 100; ++round) {
    a.read(rx);
    b.read(ry);
    a.write(rx, x, round);
    b.write(ry, y, round);
    rx.merge(ry);
    ry.merge(rx);
    REQUIRE(rx == ry);
    REQUIRE(rx.size() <= 2);
  }
  std::set<std::string> all;
  for (const Versioned& v : rx.versions()) {
    for (const auto& item : items_of(v.value)) all.insert(item);
  }
  CHECK(all.size() == 200);
}

TEST_CASE("property: the sibling set does not depend on arrival order", "[siblings][property]") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    // A causal history: three coordinators each with a replica; clients read a random replica,
    // write through a random coordinator, and replicas exchange state now and then.
    std::vector<Siblings> replicas(3);
    std::vector<Versioned> history;
    for (int step = 0; step < 30; ++step) {
      Siblings& reader = replicas[rng() % 3];
      const VectorClock context = rng() % 4 == 0 ? VectorClock{} : reader.clock();
      const std::size_t c = rng() % 3;
      const Versioned v = replicas[c].successor(ActorId{c + 1}, step, context,
                                                "v" + std::to_string(step), rng() % 5 == 0);
      replicas[c].add(v);
      history.push_back(v);
      if (rng() % 3 == 0) replicas[rng() % 3].merge(replicas[rng() % 3]);
    }
    Siblings reference;
    for (const Versioned& v : history) reference.add(v);
    for (int shuffle = 0; shuffle < 5; ++shuffle) {
      std::shuffle(history.begin(), history.end(), rng);
      Siblings s;
      for (const Versioned& v : history) s.add(v);
      REQUIRE(s == reference);
    }
    // Every replica's state is a subset-closure of the history: merging them all converges.
    Siblings all = replicas[0];
    all.merge(replicas[1]);
    all.merge(replicas[2]);
    CHECK(all == reference);
  }
}
