// Clients and nodes keep serving while a node they would ask first is down or cut off: a client
// learns the ring from any seed that answers, passes over a coordinator that does not answer
// within attempt_timeout, and a node passes a forward on to the key's next home replica.

#include <catch2/catch.hpp>

#include "sim/sim_support.hpp"

namespace dynamo {
namespace {

using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;

constexpr auto attempt_timeout = 500ms;

std::unique_ptr<SimCluster<>::ClientType> failover_client(SimCluster<>& cluster,
                                                          const std::string& name) {
  return cluster.make_client(name, [](ClientConfig& config) {
    config.request_timeout = 3s;
    config.attempt_timeout = attempt_timeout;
  });
}


struct Timed {
  std::error_code ec;
  std::chrono::milliseconds took;
};

template <class Front>
Timed timed_put(Simulator& sim, Front& front, const Key& key, const Value& value) {
  const auto start = sim.now();
  const auto wrote = test::put(sim, front, key, {}, value);
  return {wrote.ec, sim.now() - start};
}

TEST_CASE("a fresh client whose first seed is down learns the ring from another and writes",
          "[sim][failover]") {
  Simulator sim(161);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  sim.run_for(1s);
  cluster.crash("a");  // the first of the client's seeds, and a home replica of every key
  auto client = failover_client(cluster, "client");
  std::vector<std::chrono::milliseconds> slow;
  for (int i = 0; i < 20; ++i) {
    const Key key = "key-" + std::to_string(i);
    const Timed put = timed_put(sim, *client, key, "v" + std::to_string(i));
    INFO(key << " took " << put.took.count() << " ms");
    REQUIRE_FALSE(put.ec);
    CHECK(put.took <= attempt_timeout + 100ms);
    if (put.took > 100ms) slow.push_back(put.took);
  }
  // Only a put that asked a first costs an attempt_timeout; a is suspected from then on.
  CHECK(slow.size() <= 1);
  CHECK(client->core().ring().has_value());
}

TEST_CASE("a request made while every seed is down fails at request_timeout, and the client "
          "works once they are back",
          "[sim][failover]") {
  Simulator sim(162);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  sim.run_for(1s);
  for (const char* node : {"a", "b", "c"}) cluster.crash(node);
  auto client = failover_client(cluster, "client");
  const Timed lost = timed_put(sim, *client, "k", "v");
  CHECK(lost.ec == errc::timeout);
  CHECK(lost.took == client->core().config().request_timeout);
  for (const char* node : {"a", "b", "c"}) cluster.restart(node);
  sim.run_for(1s);
  const Timed back = timed_put(sim, *client, "k", "v");
  CHECK_FALSE(back.ec);
  CHECK(client->core().ring().has_value());
}

TEST_CASE("a write whose coordinator is cut off goes to the next home replica and is kept",
          "[sim][failover]") {
  Simulator sim(163);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  auto client = failover_client(cluster, "client");
  sim.run_for(1s);
  REQUIRE(client->core().ring().has_value());
  const Key key = test::key_coordinated_by(cluster, "a");
  sim.partition({{"a"}});
  const Timed put = timed_put(sim, *client, key, "kept");
  REQUIRE_FALSE(put.ec);
  CHECK(put.took >= attempt_timeout);  // a was asked first, and passed over
  CHECK(put.took <= attempt_timeout + 100ms);
  sim.heal();
  sim.run_for(5s);  // hints reach a
  const auto read = test::get(sim, *client, key, ReadOptions{3, true});
  REQUIRE_FALSE(read.ec);
  CHECK(read.result.values == std::vector<Value>{"kept"});
}

TEST_CASE("a node passes a forward on to the key's next home replica when the first is silent",
          "[sim][failover]") {
  Simulator sim(164);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  sim.run_for(1s);
  // A key d does not replicate, so d forwards it; its first home replica is cut off from d
  // before d's failure detector could know.
  Key key = "k";
  for (int i = 0;; ++i, key = "k" + std::to_string(i)) {
    const auto home = test::primaries(cluster, key);
    if (std::find(home.begin(), home.end(), "d") == home.end()) break;
  }
  const std::string first = test::primaries(cluster, key).front();
  sim.partition({{first}});
  const Timed put = timed_put(sim, cluster.node("d"), key, "forwarded");
  REQUIRE_FALSE(put.ec);
  const auto forward_timeout = cluster.node("d").core().config().forward_timeout;
  CHECK(put.took >= forward_timeout);
  CHECK(put.took <= forward_timeout + 300ms);
  const auto got = test::get(sim, cluster.node("d"), key);
  REQUIRE_FALSE(got.ec);
  CHECK(got.result.values == std::vector<Value>{"forwarded"});
}

TEST_CASE("a client given only a request_timeout passes a silent coordinator over after half "
          "of it, and refuses an attempt_timeout that would never pass one over",
          "[sim][failover][config]") {
  Simulator sim(165);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  auto client = cluster.make_client("client", [](ClientConfig& config) { config.request_timeout = 2s; });
  CHECK(client->core().attempt_timeout() == 1s);
  sim.run_for(1s);
  const Key key = test::key_coordinated_by(cluster, "a");
  sim.partition({{"a"}});
  const Timed put = timed_put(sim, *client, key, "v");
  REQUIRE_FALSE(put.ec);
  CHECK(put.took >= 1s);
  CHECK(put.took <= 1s + 100ms);

  ClientConfig config = client->core().config();
  config.attempt_timeout = config.request_timeout;
  CHECK_THROWS_WITH(validate(config), Catch::Contains("attempt_timeout (2000 ms) must be below "
                                                      "request_timeout (2000 ms)"));
  config.attempt_timeout = -1ms;
  CHECK_THROWS_WITH(validate(config), Catch::Contains("must not be negative"));
}

// W=3 over N=3 with one home replica dead: a write that targets it waits half a request
// timeout for a spare to stand in; one that knows the replica is suspected goes to the spare
// at once. The suspicion must hold until the replica is back, not lapse after suspect_period
// (the phi-accrual detector takes longer to mark it down), and end as soon as it answers.
TEST_CASE("a coordinator keeps a silent replica suspected until it answers again",
          "[sim][failover][suspicion]") {
  Simulator sim(166);
  const Config config = test::small_config(3, 2, 3);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, config);
  sim.run_for(1s);
  const Key key = test::key_coordinated_by(cluster, "a");
  const std::string dead = test::primaries(cluster, key)[1];
  cluster.crash(dead);
  int slow = 0;
  for (int i = 0; i < 24; ++i) {
    const Timed put = timed_put(sim, cluster.node("a"), key, "v" + std::to_string(i));
    INFO("put " << i << " took " << put.took.count() << " ms");
    REQUIRE_FALSE(put.ec);
    if (put.took >= config.request_timeout / 2) ++slow;
    sim.run_for(250ms);
  }
  CHECK(slow == 1);  // only the first, which found out
  cluster.restart(dead);
  const auto back = sim.now();
  Timed strict{};
  do {
    sim.run_for(50ms);
    const auto start = sim.now();
    strict.ec = test::put(sim, cluster.node("a"), key, {}, "all three", WriteOptions{3, true}).ec;
    strict.took = sim.now() - start;
  } while (strict.ec && sim.now() - back < 5s);
  CHECK_FALSE(strict.ec);
  // Probed every gossip round, it is cleared within a round and a trip of its return.
  CHECK(sim.now() - back <= config.gossip_interval + 200ms);
}

}  // namespace
}  // namespace dynamo
