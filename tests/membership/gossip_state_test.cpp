#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "dynamo/membership/gossip_state.hpp"

using dynamo::membership::GossipState;
using dynamo::membership::MemberHeartbeat;

namespace {

const std::vector<std::string> members{"a", "b", "c", "d"};

std::vector<MemberHeartbeat> random_view(std::mt19937_64& rng) {
  std::vector<MemberHeartbeat> view;
  for (const auto& name : members) {
    if (rng() % 4 == 0) continue;
    view.push_back({name, 1 + rng() % 3, rng() % 5, 2});
  }
  return view;
}

}  // namespace

TEST_CASE("gossip merge keeps the newest state of each member, and never news about itself",
          "[membership][gossip]") {
  GossipState a("a", 10, members);
  a.beat();
  const auto advanced = a.merge({{"a", 99, 99, 2}, {"b", 3, 7, 2}, {"x", 1, 1, 2}});
  CHECK(advanced == std::vector<std::string>{"b"});
  CHECK(a.self().generation == 10);
  CHECK(a.self().version == 1);
  CHECK(a.find("b")->version == 7);
  CHECK(a.find("x") == nullptr);
  CHECK(a.merge({{"b", 3, 6, 2}}).empty());  // older
  CHECK(a.merge({{"b", 4, 0, 2}}) == std::vector<std::string>{"b"});  // a restart wins
}

TEST_CASE("gossip views converge whatever the order of merges", "[membership][gossip]") {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::vector<MemberHeartbeat>> views;
    for (int i = 0; i < 4; ++i) views.push_back(random_view(rng));
    GossipState one("z", 1, members), two("z", 1, members);
    for (const auto& v : views) one.merge(v);
    std::shuffle(views.begin(), views.end(), rng);
    for (const auto& v : views) two.merge(v);
    two.merge(views.front());  // idempotent
    CHECK(one.snapshot() == two.snapshot());
  }
}

TEST_CASE("the pull half returns exactly what the other side lacks", "[membership][gossip]") {
  GossipState a("a", 5, members);
  a.merge({{"b", 2, 9, 2}, {"c", 1, 1, 2}});
  const auto newer = a.newer_than({{"a", 5, 0, 2}, {"b", 2, 9, 2}, {"c", 1, 4, 2}});
  // b is equal, c is older here, d was never heard of; a itself is not newer (same version).
  CHECK(newer.empty());
  a.beat();
  const auto after = a.newer_than({{"b", 1, 0, 2}});
  REQUIRE(after.size() == 3);  // a (unmentioned), b (newer), c (unmentioned)
  CHECK(after[0].name == "a");
  CHECK(after[1].name == "b");
  CHECK(after[2].name == "c");
}

TEST_CASE("a node's own state change is news at once, and the tracked members follow the ring",
          "[membership][gossip]") {
  GossipState a("a", 5, members);
  const auto before = a.self().version;
  a.set_self(dynamo::membership::MemberStatus::joining, 7, 0);
  CHECK(a.self().version == before + 1);
  CHECK(a.self().ring_epoch == 7);
  a.set_self(dynamo::membership::MemberStatus::joining, 7, 0);  // unchanged: no news
  CHECK(a.self().version == before + 1);
  a.merge({{"b", 2, 9, 2, 7, 7}});
  a.set_members({"b", "e"});
  CHECK(a.find("b")->fetched_epoch == 7);  // kept
  CHECK(a.find("c") == nullptr);           // no longer a member
  CHECK(a.find("e") != nullptr);           // new, nothing heard yet
  CHECK(a.find("a")->ring_epoch == 7);     // itself always
  CHECK(a.merge({{"c", 9, 9, 2, 0, 0}}).empty());
}

TEST_CASE("a node the cluster remembers with a newer generation takes a larger one",
          "[membership][gossip]") {
  // Restarted on a lost disk with a clock that went back: its own generation is below the one
  // its peers hold, so its heartbeats would never be news.
  GossipState a("a", 100, members);
  CHECK(a.outgrow({{"b", 5, 5, 2, 0, 0}, {"a", 99, 40, 2, 0, 0}}) == 0);  // older: nothing to do
  a.beat();
  a.beat();
  CHECK(a.outgrow({a.self()}) == 0);                          // its own heartbeat, pushed back
  CHECK(a.outgrow({{"a", 100, 1, 2, 0, 0}}) == 0);            // an older heartbeat of its own
  CHECK(a.self().generation == 100);
  CHECK(a.outgrow({{"a", 100, 9, 2, 0, 0}}) == 101);          // an earlier life, same clock
  CHECK(a.outgrow({{"a", 250, 40, 2, 0, 0}}) == 251);
  CHECK(a.self().generation == 251);
  CHECK(a.self().version == 0);
  GossipState b("b", 1, members);
  CHECK(b.merge({a.self()}) == std::vector<std::string>{"a"});  // news again
}
