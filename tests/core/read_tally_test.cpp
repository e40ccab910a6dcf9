// The read tally a coordinating node and a coordinating client share: the quorum count, the
// merged answer, and which home replicas read repair must write to.

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "dynamo/detail/read_tally.hpp"

using dynamo::ActorId;
using dynamo::QuorumReport;
using dynamo::Siblings;
using dynamo::detail::ReadTally;

namespace {

const ActorId x{1}, y{2};

// v1, then v2 written over it, and w written concurrently with v1 by another coordinator.
struct History {
  Siblings v1, v2, w, v1_and_w;
  History() {
    v1.add(v1.successor(x, 1, {}, "v1", false));
    v2 = v1;
    v2.add(v2.successor(x, 2, v2.clock(), "v2", false));
    w.add(w.successor(y, 1, {}, "w", false));
    v1_and_w = v1;
    v1_and_w.merge(w);
  }
};

// A tally for R of the home replicas `primaries`, every one of them asked.
ReadTally asking(std::uint32_t r, std::initializer_list<const char*> primaries) {
  ReadTally tally(r, false);
  for (const char* node : primaries) tally.asked(node, true);
  return tally;
}

std::vector<std::string> stale(const ReadTally& tally) {
  std::vector<std::string> nodes;
  tally.for_each_stale_primary([&](const std::string& n) { nodes.push_back(n); });
  return nodes;
}

std::vector<std::string> silent(const ReadTally& tally) {
  std::vector<std::string> nodes;
  tally.for_each_silent([&](const std::string& n) { nodes.push_back(n); });
  return nodes;
}

}  // namespace

TEST_CASE("a read tally reaches its quorum once R asked replicas answer, each once", "[tally]") {
  const History h;
  ReadTally tally = asking(2, {"a", "b", "c"});
  CHECK_FALSE(tally.record("z", h.v1));  // never asked
  CHECK_FALSE(tally.has_asked("z"));
  CHECK(tally.has_asked("c"));
  REQUIRE(tally.record("a", h.v1));
  CHECK_FALSE(tally.record("a", h.v1));  // a duplicated reply counts once
  CHECK_FALSE(tally.reached());
  CHECK(tally.awaits("b"));
  CHECK_FALSE(tally.awaits("a"));
  REQUIRE(tally.record("b", h.v1));
  CHECK(tally.reached());
  CHECK(tally.report() == QuorumReport{2, 2, false});
  CHECK_FALSE(tally.all_answered());
  CHECK(silent(tally) == std::vector<std::string>{"c"});
  CHECK(tally.merged() == h.v1);
  CHECK(stale(tally).empty());
}

TEST_CASE("a strict read tally counts only home replicas", "[tally]") {
  const History h;
  ReadTally tally(2, true);
  tally.asked("a", true);
  tally.asked("fallback", false);
  tally.asked("b", true);
  REQUIRE(tally.record("a", h.v1));
  REQUIRE(tally.record("fallback", h.v2));
  CHECK_FALSE(tally.reached());
  CHECK(tally.report() == QuorumReport{1, 2, true});
  CHECK(tally.merged() == h.v2);  // a fallback's answer is still merged
  REQUIRE(tally.record("b", h.v2));
  CHECK(tally.reached());
  CHECK(tally.all_answered());
  CHECK(stale(tally) == std::vector<std::string>{"a"});  // never the fallback
}

TEST_CASE("read repair goes to every home replica that answered with less than the merge",
          "[tally]") {
  const History h;
  SECTION("an older copy, before or after the newer one") {
    for (const bool old_first : {true, false}) {
      ReadTally tally = asking(2, {"old", "new"});
      if (old_first) {
        tally.record("old", h.v1);
        tally.record("new", h.v2);
      } else {
        tally.record("new", h.v2);
        tally.record("old", h.v1);
      }
      CHECK(tally.merged() == h.v2);
      CHECK(stale(tally) == std::vector<std::string>{"old"});
    }
  }
  SECTION("concurrent versions: both sides lack the other's, the union is complete") {
    ReadTally tally = asking(3, {"a", "b", "c"});
    tally.record("a", h.v1);
    tally.record("b", h.w);
    tally.record("c", h.v1_and_w);
    CHECK(tally.merged() == h.v1_and_w);
    CHECK(stale(tally) == std::vector<std::string>{"a", "b"});
  }
  SECTION("a replica current when it answered is stale once a later answer adds to the merge") {
    ReadTally tally = asking(2, {"a", "b", "c"});
    tally.record("a", h.v1);
    tally.record("b", h.v1);
    CHECK(stale(tally).empty());
    tally.record("c", h.v2);
    CHECK(stale(tally) == std::vector<std::string>{"a", "b"});
  }
  SECTION("nothing answered, nothing stale; an empty answer is stale beside a value") {
    ReadTally tally = asking(1, {"a", "b"});
    CHECK(tally.none_answered());
    CHECK(stale(tally).empty());
    tally.record("a", Siblings{});
    tally.record("b", h.v1);
    CHECK(stale(tally) == std::vector<std::string>{"a"});
  }
}
