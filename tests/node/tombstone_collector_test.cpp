// TombstoneCollector driven by hand: node "a" of a four-member ring, its store a map, every
// message it sends recorded, timers and clocks advanced by hand. No simulator.

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dynamo/node/tombstone_collector.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using dynamo::ActorId;
using dynamo::Key;
using dynamo::LogField;
using dynamo::LogLevel;
using dynamo::RequestIds;
using dynamo::RequestKind;
using dynamo::Siblings;
using dynamo::TombstoneCollector;
using dynamo::test::ManualTimers;
namespace wire = dynamo::wire;

namespace {

constexpr auto grace = 10000ms;
constexpr auto deadline = 1000ms;
constexpr std::uint64_t wall_start = 1'000'000;

Siblings tombstone(std::uint64_t timestamp) {
  Siblings s;
  s.add(s.successor(ActorId{7}, timestamp, {}, {}, true));
  return s;
}
Siblings live(std::uint64_t timestamp) {
  Siblings s;
  s.add(s.successor(ActorId{7}, timestamp, {}, "v", false));
  return s;
}

struct Sent {
  std::string to;
  wire::Message message;
};

// Node "a"'s world: members a, b, c, d; every key's home replicas are a, b, c (so a collects)
// unless `home` says otherwise; d is a member but no home replica.
struct World {
  ManualTimers timers;
  std::uint64_t wall = wall_start;
  bool stable = true;
  std::chrono::milliseconds changed_at{-grace};
  std::vector<std::string> names{"a", "b", "c", "d"};
  std::map<std::string, std::vector<std::string>, std::less<>> home;
  std::set<std::string, std::less<>> hinted;
  std::map<std::string, Siblings, std::less<>> store;
  std::vector<Sent> sent;
  std::uint64_t unmatched_count = 0;
  std::vector<std::string> events;

  std::uint64_t schedule(std::chrono::milliseconds delay, std::function<void()> f) {
    return timers.schedule(delay, std::move(f));
  }
  void cancel(std::uint64_t id) { timers.cancel(id); }
  std::chrono::milliseconds now() const { return timers.now; }
  std::uint64_t wall_clock_ms() const {
    return wall + static_cast<std::uint64_t>(timers.now.count());
  }
  void send(const std::string& node, const wire::Message& m) { sent.push_back({node, m}); }
  bool ring_stable() const { return stable; }
  std::chrono::milliseconds ring_changed_at() const { return changed_at; }
  const std::vector<std::string>& members() const { return names; }
  std::vector<std::string> home_replicas(std::string_view key) const {
    const auto it = home.find(key);
    return it == home.end() ? std::vector<std::string>{"a", "b", "c"} : it->second;
  }
  bool is_self(std::string_view node) const { return node == "a"; }
  bool holds_hint_for(std::string_view key) const { return hinted.contains(key); }
  std::optional<Siblings> stored(std::string_view key) const {
    const auto it = store.find(key);
    return it == store.end() ? std::nullopt : std::optional<Siblings>(it->second);
  }
  void erase(std::string_view key, const Siblings& s) {
    const auto it = store.find(key);
    REQUIRE(it != store.end());
    REQUIRE(it->second == s);
    store.erase(it);
  }
  template <class Visit>
  void for_each_stored(Visit visit) const {
    for (const auto& [key, s] : store) visit(key, s);
  }
  void unmatched() { ++unmatched_count; }
  void log(LogLevel, std::string_view event, std::string, std::vector<LogField>) {
    events.emplace_back(event);
  }

  // The checks sent since the last call, by addressee: (to, request id).
  std::vector<std::pair<std::string, std::uint64_t>> take_checks() {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const Sent& s : sent) {
      REQUIRE(std::holds_alternative<wire::TombstoneCheck>(s.message));
      out.emplace_back(s.to, std::get<wire::TombstoneCheck>(s.message).request_id);
    }
    sent.clear();
    return out;
  }
};

static_assert(dynamo::TombstoneContext<World>);
using Collector = TombstoneCollector<World>;

struct Fixture {
  World world;
  RequestIds ids{50};
  Collector collector{world, ids, {grace, 64, deadline}};

  // Stores `s` for `key` and tells the collector, as the replica store would.
  void plant(const Key& key, const Siblings& s) {
    world.store[key] = s;
    collector.note(key, s);
  }
  void check_invariants() const {
    collector.check_invariants([this](std::uint64_t id) { return world.timers.pending.contains(id); });
  }
};

}  // namespace

TEST_CASE("a tombstone is purged only once every member answered with it and none holds a hint",
          "[node][tombstones]") {
  Fixture f;
  const Siblings tomb = tombstone(wall_start - grace.count());
  f.plant("k", tomb);
  CHECK(f.collector.candidate("k"));

  f.collector.sweep();
  const auto checks = f.world.take_checks();
  REQUIRE(checks.size() == 3);  // b, c and d: every member but a
  const std::uint64_t id = checks[0].second;
  CHECK(RequestIds::kind_of(id) == RequestKind::tombstone_check);
  CHECK(f.collector.size() == 1);
  f.check_invariants();

  // The same check again: nobody is asked twice about a key.
  f.collector.sweep();
  CHECK(f.world.sent.empty());

  const auto answer = [&](const std::string& from, Siblings s, bool hinted = false) {
    f.collector.on_check_reply(id, from, wire::TombstoneCheckReply{id, std::move(s), hinted});
  };
  answer("b", tomb);
  answer("c", tomb);
  CHECK(f.collector.size() == 1);
  CHECK(f.world.store.contains("k"));
  f.check_invariants();

  bool collected = false;  // what the section expects
  SECTION("the last member agrees: b and c are told to purge, and a drops its own copy") {
    collected = true;
    answer("d", {});  // d is no home replica: holding nothing is agreeing
    CHECK(f.collector.size() == 0);
    CHECK_FALSE(f.world.store.contains("k"));
    CHECK_FALSE(f.collector.candidate("k"));
    std::set<std::string> purged;
    for (const Sent& s : f.world.sent) {
      REQUIRE(std::holds_alternative<wire::Purge>(s.message));
      const auto& purge = std::get<wire::Purge>(s.message);
      CHECK(purge.key == "k");
      CHECK(purge.expected == tomb);
      CHECK(RequestIds::kind_of(purge.request_id) == RequestKind::untracked);
      purged.insert(s.to);
    }
    CHECK(purged == std::set<std::string>{"b", "c"});
    CHECK(f.world.events == std::vector<std::string>{"tombstone_collected"});
    CHECK(f.world.timers.pending.empty());
    CHECK(f.world.unmatched_count == 0);
  }
  SECTION("the last member holds a hint for the key: the tombstone stays") {
    answer("d", {}, true);
  }
  SECTION("the last member holds another version: the tombstone stays") {
    answer("d", live(wall_start));
  }
  SECTION("a home replica holds nothing: the tombstone stays") {
    f.world.home["k"] = {"a", "b", "d"};
    answer("d", {});
  }
  if (!collected) {
    REQUIRE(f.world.store.contains("k"));
    CHECK(f.world.store.at("k") == tomb);
    CHECK(f.collector.size() == 0);
    CHECK(f.world.sent.empty());
    CHECK(f.collector.candidate("k"));
    CHECK(f.world.events.empty());
    CHECK(f.world.timers.pending.empty());
    // A later sweep checks it again.
    f.collector.sweep();
    CHECK(f.world.take_checks().size() == 3);
  }
}

TEST_CASE("a check whose member stays silent expires and the tombstone stays",
          "[node][tombstones]") {
  Fixture f;
  const Siblings tomb = tombstone(wall_start - grace.count());
  f.plant("k", tomb);
  f.collector.sweep();
  const auto checks = f.world.take_checks();
  REQUIRE(checks.size() == 3);
  const std::uint64_t id = checks[0].second;
  for (const char* member : {"b", "c"}) {
    f.collector.on_check_reply(id, member, wire::TombstoneCheckReply{id, tomb, false});
  }

  f.world.timers.advance(deadline - 1ms);
  CHECK(f.collector.size() == 1);
  f.check_invariants();
  f.world.timers.advance(1ms);
  CHECK(f.collector.size() == 0);
  CHECK(f.world.store.at("k") == tomb);
  CHECK(f.collector.candidate("k"));
  CHECK(f.world.sent.empty());

  // d's answer comes too late, and b's twice: neither matches a check.
  f.collector.on_check_reply(id, "d", wire::TombstoneCheckReply{id, {}, false});
  CHECK(f.world.unmatched_count == 1);
  CHECK(f.world.store.contains("k"));

  f.collector.sweep();
  const auto again = f.world.take_checks();
  REQUIRE(again.size() == 3);
  const std::uint64_t second = again[0].second;
  CHECK(second != id);
  f.collector.on_check_reply(second, "b", wire::TombstoneCheckReply{second, tomb, false});
  f.collector.on_check_reply(second, "b", wire::TombstoneCheckReply{second, tomb, false});
  CHECK(f.world.unmatched_count == 2);
  CHECK(f.collector.size() == 1);
}

TEST_CASE("no tombstone is checked while the ring changes, within the grace period, or while "
          "this node holds a hint for it",
          "[node][tombstones]") {
  Fixture f;
  f.plant("old", tombstone(wall_start - grace.count()));
  f.plant("young", tombstone(wall_start - grace.count() + 1));

  f.world.stable = false;
  f.collector.sweep();
  CHECK(f.world.sent.empty());

  f.world.stable = true;
  f.world.changed_at = f.world.timers.now - grace + 1ms;  // a ring taken just under grace ago
  f.collector.sweep();
  CHECK(f.world.sent.empty());

  f.world.changed_at = f.world.timers.now - grace;
  f.world.hinted = {"old"};
  f.collector.sweep();
  CHECK(f.world.sent.empty());
  CHECK(f.collector.size() == 0);

  f.world.hinted.clear();
  f.collector.sweep();
  const auto checks = f.world.take_checks();
  REQUIRE(checks.size() == 3);
  for (const auto& [to, id] : checks) CHECK(id == checks[0].second);
  CHECK(f.collector.size() == 1);  // "old" only: "young" is a millisecond short of its grace
}

TEST_CASE("each sweep starts at most a batch of checks and drops candidates that came back",
          "[node][tombstones]") {
  World world;
  RequestIds ids{50};
  Collector collector{world, ids, {grace, 2, deadline}};
  for (const char* key : {"k1", "k2", "k3", "k4"}) {
    world.store[key] = tombstone(wall_start - grace.count());
    collector.note(key, world.store[key]);
  }
  world.store["k1"] = live(wall_start);  // written again since
  collector.sweep();
  CHECK_FALSE(collector.candidate("k1"));
  CHECK(collector.size() == 2);
  CHECK(world.take_checks().size() == 6);
  collector.sweep();
  CHECK(collector.size() == 3);  // k4, the one left
  CHECK(world.take_checks().size() == 3);
}

TEST_CASE("candidates are re-scanned after a ring change: this node collects the keys it is "
          "now the first home replica of",
          "[node][tombstones]") {
  Fixture f;
  const Siblings tomb = tombstone(wall_start - grace.count());
  f.world.home["mine"] = {"a", "b", "c"};
  f.world.home["theirs"] = {"b", "a", "c"};
  f.plant("mine", tomb);
  f.plant("theirs", tomb);
  f.plant("alive", live(wall_start));
  CHECK(f.collector.candidate("mine"));
  CHECK_FALSE(f.collector.candidate("theirs"));
  CHECK_FALSE(f.collector.candidate("alive"));
  CHECK(f.collector.candidates() == 1);

  // The new ring makes a the first home replica of "theirs" and not of "mine".
  f.world.home["mine"] = {"b", "a", "c"};
  f.world.home["theirs"] = {"a", "b", "c"};
  f.collector.rescan();
  CHECK_FALSE(f.collector.candidate("mine"));
  CHECK(f.collector.candidate("theirs"));
  CHECK(f.collector.candidates() == 1);

  // And a Purge from the collector of a key drops it here, candidate or not, if unchanged.
  f.collector.on_purge(wire::Purge{1, "mine", live(wall_start)});
  CHECK(f.world.store.contains("mine"));
  f.collector.on_purge(wire::Purge{1, "mine", tomb});
  CHECK_FALSE(f.world.store.contains("mine"));
  f.collector.on_purge(wire::Purge{2, "theirs", tomb});
  CHECK_FALSE(f.world.store.contains("theirs"));
  CHECK_FALSE(f.collector.candidate("theirs"));
}

TEST_CASE("a member answers a check with what it stores and whether it holds a hint",
          "[node][tombstones]") {
  Fixture f;
  const Siblings tomb = tombstone(1);
  f.world.store["k"] = tomb;
  f.world.hinted = {"h"};
  f.collector.on_check("b", wire::TombstoneCheck{9, "k"});
  f.collector.on_check("b", wire::TombstoneCheck{10, "h"});
  REQUIRE(f.world.sent.size() == 2);
  CHECK(f.world.sent[0].to == "b");
  CHECK(std::get<wire::TombstoneCheckReply>(f.world.sent[0].message) ==
        wire::TombstoneCheckReply{9, tomb, false});
  CHECK(std::get<wire::TombstoneCheckReply>(f.world.sent[1].message) ==
        wire::TombstoneCheckReply{10, {}, true});
}
