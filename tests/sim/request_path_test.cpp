// The request path of the Dynamo paper's section 4, one behaviour per test, on small simulated
// clusters without random faults: each test sets up exactly the failure it is about.

#include <catch2/catch.hpp>

#include <algorithm>

#include "dynamo/resolve/last_write_wins.hpp"
#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;

TEST_CASE("a put then a get through a client returns the value and a superseding context",
          "[sim][request]") {
  Simulator sim(1);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  const auto wrote = test::put(sim, *client, "k", {}, "v1");
  REQUIRE_FALSE(wrote.ec);
  CHECK(wrote.result.quorum.replied >= 2);
  const auto read = test::get(sim, *client, "k");
  REQUIRE_FALSE(read.ec);
  REQUIRE(read.result.values == std::vector<Value>{"v1"});
  REQUIRE_FALSE(test::put(sim, *client, "k", read.result.context, "v2").ec);
  CHECK(test::get(sim, *client, "k").result.values == std::vector<Value>{"v2"});
  sim.run_for(1s);
  for (const auto& node : {"a", "b", "c"}) {
    REQUIRE(test::stored(cluster, node, "k").has_value());
    CHECK(test::stored(cluster, node, "k")->size() == 1);
  }
}

TEST_CASE("a node forgets the clients it served once their requests age out", "[sim][request]") {
  Simulator sim(2);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  const auto remembered = [&] {
    std::size_t senders = 0;
    for (const auto& name : cluster.names()) {
      senders += cluster.node(name).core().remembered_senders();
    }
    return senders;
  };
  for (int i = 0; i < 20; ++i) {  // clients that come and go, all writing the same key
    auto client = cluster.make_client("shopper-" + std::to_string(i));
    REQUIRE_FALSE(test::put(sim, *client, "cart", {}, "item").ec);
  }
  CHECK(remembered() == 20);
  sim.run_for(1s);  // more than twice the forward timeout (400 ms)
  auto late = cluster.make_client("late");
  REQUIRE_FALSE(test::put(sim, *late, "cart", {}, "item").ec);
  CHECK(remembered() == 1);
  std::size_t requests = 0;
  for (const auto& name : cluster.names()) {
    requests += cluster.node(name).core().remembered_requests();
  }
  CHECK(requests == 1);
}

TEST_CASE("concurrent blind writes come back as siblings, and LastWriteWins picks one",
          "[sim][request]") {
  Simulator sim(2);
  SimCluster<> keep(sim, {"a", "b", "c"}, test::small_config());
  auto one = keep.make_client("one");
  auto two = keep.make_client("two");
  REQUIRE_FALSE(test::put(sim, *one, "cart", {}, "book").ec);
  REQUIRE_FALSE(test::put(sim, *two, "cart", {}, "pen").ec);
  const auto read = test::get(sim, *one, "cart");
  REQUIRE(read.result.values.size() == 2);
  REQUIRE_FALSE(test::put(sim, *one, "cart", read.result.context, "book,pen").ec);
  CHECK(test::get(sim, *two, "cart").result.values == std::vector<Value>{"book,pen"});

  Simulator sim2(2);
  SimCluster<LastWriteWins> lww(sim2, {"a", "b", "c"}, test::small_config());
  auto c = lww.make_client("lww-client");
  REQUIRE_FALSE(test::put(sim2, *c, "x", {}, "first").ec);
  sim2.run_for(5ms);
  REQUIRE_FALSE(test::put(sim2, *c, "x", {}, "second").ec);
  const auto last = test::get(sim2, *c, "x");
  CHECK(last.result.siblings.size() == 2);
  CHECK(last.result.values == std::vector<Value>{"second"});
}

TEST_CASE("sloppy quorum: a fallback takes the write with a hint and hands it back",
          "[sim][request][handoff]") {
  Simulator sim(3);
  SimCluster<> cluster(sim, {"a", "b", "c", "d", "e"}, test::small_config());
  auto client = cluster.make_client("client");
  const auto home = test::primaries(cluster, "k");
  cluster.crash(home[2]);
  const auto wrote = test::put(sim, *client, "k", {}, "v", WriteOptions{3, false});
  REQUIRE_FALSE(wrote.ec);
  CHECK(cluster.hint_count() == 1);
  CHECK_FALSE(test::stored(cluster, home[2], "k").has_value());

  cluster.restart(home[2]);
  sim.run_for(2s);
  REQUIRE(test::stored(cluster, home[2], "k").has_value());
  CHECK(test::stored(cluster, home[2], "k")->versions()[0].value == "v");
  CHECK(cluster.hint_count() == 0);
}

TEST_CASE("strict quorum counts only home replicas and reports how many answered",
          "[sim][request][strict]") {
  Simulator sim(4);
  SimCluster<> cluster(sim, {"a", "b", "c", "d", "e"}, test::small_config());
  auto client = cluster.make_client("client");
  const auto home = test::primaries(cluster, "k");
  cluster.crash(home[1]);
  cluster.crash(home[2]);
  // The coordinator learns the two are gone from a first request that times out on them.
  (void)test::put(sim, *client, "warm-up", {}, "x");
  (void)test::put(sim, *client, "k", {}, "v");
  const auto strict = test::put(sim, *client, "k", {}, "v2", WriteOptions{2, true});
  CHECK(strict.ec == errc::unavailable);
  CHECK(strict.result.quorum.replied == 1);
  CHECK(strict.result.quorum.required == 2);
  const auto sloppy = test::put(sim, *client, "k", {}, "v3", WriteOptions{2, false});
  CHECK_FALSE(sloppy.ec);
  // A node coordinating the read knows the two are down and refuses at once; a client that
  // coordinates it knows only its own timeouts, so it asks and reports at the deadline.
  auto via_node = cluster.make_client(
      "via-node", [](ClientConfig& c) { c.read_coordination = ReadCoordination::node; });
  const auto strict_read = test::get(sim, *via_node, "k", ReadOptions{2, true});
  CHECK(strict_read.ec == errc::unavailable);
  const auto own_read = test::get(sim, *client, "k", ReadOptions{2, true});
  CHECK(own_read.ec == errc::quorum_not_reached);
  CHECK(own_read.result.quorum == QuorumReport{1, 2, true});
}

TEST_CASE("a per-request R or W above N is refused with errc::invalid_request, also through a client",
          "[sim][request][options]") {
  Simulator sim(5);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  const auto read = test::get(sim, *client, "k", ReadOptions{4, false});
  CHECK(read.ec == errc::invalid_request);
  CHECK(read.ec.message() == "invalid request (R or W above N, or a refused membership change)");
  const auto write = test::put(sim, *client, "k", {}, "v", WriteOptions{4, false});
  CHECK(write.ec == errc::invalid_request);
  const auto local = test::get(sim, cluster.node("a"), "k", ReadOptions{4, false});
  CHECK(local.ec == errc::invalid_request);
  CHECK_FALSE(test::stored(cluster, "a", "k").has_value());
}

TEST_CASE("read repair brings a stale home replica up to date after answering",
          "[sim][request][repair]") {
  // The client repairs the reads it coordinates itself; a node those it coordinates.
  const auto coordination = GENERATE(ReadCoordination::client, ReadCoordination::node);
  INFO("coordinated by " << (coordination == ReadCoordination::client ? "client" : "node"));
  Simulator sim(5);
  auto config = test::small_config(3, 2, 2);
  config.anti_entropy = false;  // so that only read repair can bring the replica up to date
  config.hinted_handoff = false;
  SimCluster<> cluster(sim, {"a", "b", "c"}, config);
  auto client = cluster.make_client(
      "client", [coordination](ClientConfig& c) { c.read_coordination = coordination; });
  REQUIRE_FALSE(test::put(sim, *client, "k", {}, "old").ec);
  sim.run_for(500ms);
  const auto home = test::primaries(cluster, "k");
  // Isolate one replica, write past it, then heal: only read repair can fix it.
  sim.partition({{home[2]}});
  const auto read = test::get(sim, *client, "k");
  REQUIRE_FALSE(test::put(sim, *client, "k", read.result.context, "new").ec);
  sim.heal();
  // The put's coordinator suspects the silent replica at the put's deadline (the put itself
  // returned at W = 2, earlier); that suspicion lapses a suspect period later.
  sim.run_for(config.request_timeout + config.suspect_period + 100ms);
  REQUIRE(test::stored(cluster, home[2], "k")->versions()[0].value == "old");
  const auto again = test::get(sim, *client, "k", ReadOptions{3, false});
  INFO(again.result.quorum);
  REQUIRE_FALSE(again.ec);
  CHECK(again.result.values == std::vector<Value>{"new"});
  sim.run_for(500ms);
  REQUIRE(test::stored(cluster, home[2], "k").has_value());
  CHECK(test::stored(cluster, home[2], "k")->versions()[0].value == "new");
}

TEST_CASE("a removed key reads as absent and its tombstone is collected on every replica",
          "[sim][request][tombstone]") {
  Simulator sim(6);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  auto client = cluster.make_client("client");
  REQUIRE_FALSE(test::put(sim, *client, "k", {}, "v").ec);
  const auto read = test::get(sim, *client, "k");
  REQUIRE_FALSE(test::remove(sim, *client, "k", read.result.context).ec);
  const auto gone = test::get(sim, *client, "k");
  REQUIRE_FALSE(gone.ec);
  CHECK(gone.result.values.empty());
  CHECK_FALSE(gone.result.siblings.has_live_value());
  sim.run_for(500ms);
  for (const auto& node : test::primaries(cluster, "k")) {
    CHECK(test::stored(cluster, node, "k").has_value());  // within the grace period
  }
  sim.run_for(5s);
  for (const auto& node : cluster.names()) CHECK_FALSE(test::stored(cluster, node, "k").has_value());
  CHECK(test::get(sim, *client, "k").result.values.empty());
}

TEST_CASE("a tombstone is kept while an older copy waits in a hint", "[sim][request][tombstone]") {
  Simulator sim(7);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  auto client = cluster.make_client("client");
  const auto home = test::primaries(cluster, "k");
  REQUIRE_FALSE(test::put(sim, *client, "k", {}, "v").ec);
  sim.run_for(200ms);
  // The third home replica misses the remove; a fallback keeps the tombstone as a hint.
  cluster.crash(home[2]);
  (void)test::put(sim, *client, "warm-up", {}, "x", WriteOptions{3, false});
  const auto read = test::get(sim, *client, "k");
  REQUIRE_FALSE(test::remove(sim, *client, "k", read.result.context, WriteOptions{3, false}).ec);
  sim.run_for(5s);  // past the grace period, but a home replica still has the old value
  REQUIRE(test::stored(cluster, home[0], "k").has_value());
  cluster.restart(home[2]);
  sim.run_for(5s);  // the hint is delivered, then the tombstone can go everywhere
  for (const auto& node : cluster.names()) CHECK_FALSE(test::stored(cluster, node, "k").has_value());
  CHECK(test::get(sim, *client, "k", ReadOptions{3, false}).result.values.empty());
}

TEST_CASE("a node that lost its disk never reuses its old dots", "[sim][request][epoch]") {
  Simulator sim(8);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config(3, 1, 1));
  const auto home = test::primaries(cluster, "k");
  auto& first = cluster.node(home[0]);
  const ActorId before = first.core().actor();
  REQUIRE_FALSE(test::put(sim, first, "k", {}, "old").ec);
  sim.run_for(500ms);
  cluster.crash(home[0], /*wipe_disk=*/true);
  cluster.restart(home[0]);
  auto& again = cluster.node(home[0]);
  CHECK(again.core().actor() != before);
  // A blind write through the reborn node must not be mistaken for the old one or dominated by it.
  REQUIRE_FALSE(test::put(sim, again, "k", {}, "new").ec);
  sim.run_for(500ms);
  const auto read = test::get(sim, again, "k", ReadOptions{3, false});
  CHECK(read.result.values.size() == 2);
}

TEST_CASE("nodes refuse a peer whose resolver differs", "[sim][request][handshake]") {
  Simulator sim(9);
  SimCluster<KeepSiblings> keep(sim, {"a", "b", "c"}, test::small_config(3, 1, 1));
  auto stranger = testing::SimCluster<LastWriteWins>::ClientType(
      sim.executor(), ClientConfig{"dynamo", "stranger", {"a"}, {}, 300ms, 0ms, 1s, 5s, {}, {},
                                   ReadCoordination::client, 50ms},
      testing::SimTransport(sim, "stranger"));
  const auto attempt = test::get(sim, stranger, "k");
  CHECK(attempt.ec == errc::timeout);
  auto friendly = keep.make_client("friendly");
  CHECK_FALSE(test::get(sim, *friendly, "k").ec);
}

TEST_CASE("configuration mistakes are refused at start-up with a clear message",
          "[sim][request][config]") {
  Simulator sim(11);
  auto expect_refused = [&](Config config, const std::string& fragment) {
    config.members = {{"a", {}, 1, {}}, {"b", {}, 1, {}}};
    config.name = config.name.empty() ? "a" : config.name;
    try {
      validate(config);
      FAIL("accepted a bad config: " << fragment);
    } catch (const std::invalid_argument& e) {
      CHECK_THAT(e.what(), Catch::Contains(fragment));
    }
  };
  auto n3 = test::small_config(3, 2, 2);
  expect_refused(n3, "only 2 members");
  auto r0 = test::small_config(2, 0, 1);
  expect_refused(r0, "r must be in 1..n");
  auto w3 = test::small_config(2, 1, 3);
  expect_refused(w3, "w must be in 1..n");
  auto weightless = test::small_config(2, 1, 1);
  weightless.weight = 0;
  expect_refused(weightless, "weight must be at least 1");
  auto lost = test::small_config(2, 1, 1);
  lost.name = "z";
  try {
    lost.members.clear();
    validate(lost);
    FAIL("accepted a node with neither founding members nor seeds");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::Contains("members and seeds are both empty"));
  }
}

namespace {
// A user-defined merging resolver: concurrent values are concatenated in sorted order.
struct JoinValues {
  static constexpr std::string_view name() { return "test.join_values"; }
  std::vector<Value> resolve(std::span<const Versioned> versions) const {
    std::vector<std::string> live;
    for (const Versioned& v : versions) {
      if (!v.tombstone) live.push_back(v.value);
    }
    if (live.empty()) return {};
    std::sort(live.begin(), live.end());
    std::string joined;
    for (const auto& v : live) joined += v;
    return {joined};
  }
};
}  // namespace

TEST_CASE("a merging resolver returns one value whose context supersedes every sibling",
          "[sim][request][resolver]") {
  Simulator sim(12);
  SimCluster<JoinValues> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto one = cluster.make_client("one");
  auto two = cluster.make_client("two");
  REQUIRE_FALSE(test::put(sim, *one, "k", {}, "x").ec);
  REQUIRE_FALSE(test::put(sim, *two, "k", {}, "y").ec);
  const auto merged = test::get(sim, *one, "k");
  REQUIRE(merged.result.values == std::vector<Value>{"xy"});
  CHECK(merged.result.siblings.size() == 2);
  const auto wrote = test::put(sim, *one, "k", merged.result.context, merged.result.values[0]);
  REQUIRE_FALSE(wrote.ec);
  CHECK(wrote.result.siblings.size() == 1);
  const auto after = test::get(sim, *two, "k");
  CHECK(after.result.siblings.size() == 1);
  CHECK(after.result.values == std::vector<Value>{"xy"});
}
