#include <catch2/catch.hpp>

#include "dynamo/resolve/keep_siblings.hpp"
#include "dynamo/resolve/last_write_wins.hpp"

using dynamo::ActorId;
using dynamo::Siblings;
using dynamo::Value;

namespace {
// Two concurrent versions: "old" by actor 1 at t=100, "new" by actor 2 at t=200.
Siblings concurrent_pair(bool newest_is_tombstone = false) {
  Siblings s;
  s.add(s.successor(ActorId{1}, 100, {}, "old", false));
  s.add(s.successor(ActorId{2}, 200, {}, "new", newest_is_tombstone));
  return s;
}
}  // namespace

TEST_CASE("KeepSiblings returns every live sibling", "[resolve]") {
  const Siblings s = concurrent_pair();
  CHECK(dynamo::KeepSiblings{}.resolve(s.versions()) == std::vector<Value>{"old", "new"});
  CHECK(dynamo::KeepSiblings{}.resolve(concurrent_pair(true).versions()) ==
        std::vector<Value>{"old"});
  CHECK(dynamo::KeepSiblings{}.resolve({}).empty());
}

TEST_CASE("LastWriteWins keeps the latest timestamp, and a latest tombstone hides the key",
          "[resolve]") {
  CHECK(dynamo::LastWriteWins{}.resolve(concurrent_pair().versions()) == std::vector<Value>{"new"});
  CHECK(dynamo::LastWriteWins{}.resolve(concurrent_pair(true).versions()).empty());
  CHECK(dynamo::LastWriteWins{}.resolve({}).empty());
}

TEST_CASE("LastWriteWins breaks timestamp ties by actor, whatever the order", "[resolve]") {
  Siblings s;
  s.add(s.successor(ActorId{9}, 100, {}, "nine", false));
  s.add(s.successor(ActorId{3}, 100, {}, "three", false));
  std::vector<dynamo::Versioned> reversed(s.versions().rbegin(), s.versions().rend());
  CHECK(dynamo::LastWriteWins{}.resolve(s.versions()) == std::vector<Value>{"nine"});
  CHECK(dynamo::LastWriteWins{}.resolve(reversed) == std::vector<Value>{"nine"});
}

TEST_CASE("resolver names differ so peers can tell them apart", "[resolve]") {
  CHECK(dynamo::KeepSiblings::name() != dynamo::LastWriteWins::name());
}
