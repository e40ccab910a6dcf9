// Merkle anti-entropy in simulation: replicas converge without any read and without hinted
// handoff, including after what hinted handoff cannot repair (a hint holder that died for good,
// a replica restored from an old disk), and an exchange moves only the keys that differ.

#include <catch2/catch.hpp>

#include <set>

#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;

namespace {

Config ae_config() {
  Config config = test::small_config(3, 2, 2);
  config.anti_entropy_interval = 10ms;
  return config;
}

// Every key's live home replicas hold the same siblings, read from storage directly. Costly
// (every replica of every key), so the tests check it every kCheckEvery of virtual time rather
// than after every event.
constexpr auto kCheckEvery = 50ms;
bool replicas_agree(SimCluster<>& cluster, const std::vector<Key>& keys) {
  for (const Key& key : keys) {
    std::optional<Siblings> first;
    for (const auto& node : test::primaries(cluster, key)) {
      if (!cluster.is_up(node)) continue;
      const Siblings held = test::stored(cluster, node, key).value_or(Siblings{});
      if (!first) first = held;
      if (held != *first) return false;
    }
  }
  return true;
}

std::vector<Key> write_keys(Simulator& sim, Client<testing::SimTransport>& client,
                            const std::string& prefix, int count, const std::string& value) {
  std::vector<Key> keys;
  for (int i = 0; i < count; ++i) {
    const Key key = prefix + std::to_string(i);
    const auto read = test::get(sim, client, key);
    REQUIRE_FALSE(test::put(sim, client, key, read.result.context, value).ec);
    keys.push_back(key);
  }
  return keys;
}

std::uint64_t total(SimCluster<>& cluster, std::uint64_t NodeCore<testing::SimStorage,
                    testing::SimTransport>::AntiEntropyStats::*field) {
  std::uint64_t sum = 0;
  for (const auto& name : cluster.names()) {
    if (cluster.is_up(name)) sum += cluster.node(name).core().anti_entropy_stats().*field;
  }
  return sum;
}

using Stats = NodeCore<testing::SimStorage, testing::SimTransport>::AntiEntropyStats;

}  // namespace

TEST_CASE("with hinted handoff off, a replica that missed writes converges by anti-entropy alone",
          "[sim][anti-entropy]") {
  Simulator sim(21);
  Config config = ae_config();
  config.hinted_handoff = false;
  SimCluster<> cluster(sim, {"a", "b", "c"}, config);
  auto client = cluster.make_client("client");
  auto keys = write_keys(sim, *client, "before-", 20, "v1");
  cluster.crash("c");
  const auto missed = write_keys(sim, *client, "missed-", 30, "v2");
  keys.insert(keys.end(), missed.begin(), missed.end());
  cluster.restart("c");
  CHECK_FALSE(replicas_agree(cluster, keys));  // c lacks what it missed: nobody handed it over
  REQUIRE(sim.run_until([&] { return replicas_agree(cluster, keys); }, 20s, kCheckEvery));
  for (const Key& key : missed) {
    REQUIRE(test::stored(cluster, "c", key).has_value());
    CHECK(test::stored(cluster, "c", key)->versions()[0].value == "v2");
  }
  CHECK(total(cluster, &Stats::keys_repaired) >= missed.size());
}

TEST_CASE("a hint whose holder died for good is replaced by anti-entropy", "[sim][anti-entropy]") {
  Simulator sim(22);
  SimCluster<> cluster(sim, {"a", "b", "c", "d", "e"}, ae_config());
  auto client = cluster.make_client("client");
  cluster.crash("a");
  const auto keys = write_keys(sim, *client, "k", 40, "while-a-was-down");
  std::set<std::string> holders;
  for (const auto& name : cluster.names()) {
    if (cluster.is_up(name) && cluster.disk(name).hint_count() > 0) holders.insert(name);
  }
  REQUIRE_FALSE(holders.empty());
  for (const auto& holder : holders) cluster.crash(holder);  // for good, hints and all
  cluster.restart("a");
  REQUIRE(sim.run_until([&] { return replicas_agree(cluster, keys); }, 30s, kCheckEvery));
  std::size_t checked = 0;
  for (const Key& key : keys) {
    const auto home = test::primaries(cluster, key);
    if (std::ranges::find(home, "a") == home.end()) continue;
    // A key whose other home replicas both died had no copy left for a to get.
    if (std::ranges::none_of(home, [&](const auto& n) { return n != "a" && cluster.is_up(n); })) {
      continue;
    }
    ++checked;
    REQUIRE(test::stored(cluster, "a", key).has_value());
    CHECK(test::stored(cluster, "a", key)->versions()[0].value == "while-a-was-down");
  }
  CHECK(checked >= 10);
}

TEST_CASE("a replica restored from an old disk catches up through anti-entropy",
          "[sim][anti-entropy]") {
  Simulator sim(23);
  SimCluster<> cluster(sim, {"a", "b", "c"}, ae_config());
  auto client = cluster.make_client("client");
  auto keys = write_keys(sim, *client, "k", 30, "old");
  sim.run_for(1s);
  const MemoryStorage backup = cluster.disk("c");
  write_keys(sim, *client, "k", 15, "new");  // overwrites k0..k14
  const auto added = write_keys(sim, *client, "added-", 15, "added");
  keys.insert(keys.end(), added.begin(), added.end());
  sim.run_for(1s);
  cluster.crash("c");
  cluster.replace_disk("c", backup);
  cluster.restart("c");
  CHECK(test::stored(cluster, "c", "k0")->versions()[0].value == "old");
  REQUIRE(sim.run_until([&] { return replicas_agree(cluster, keys); }, 20s, kCheckEvery));
  CHECK(test::stored(cluster, "c", "k0")->versions()[0].value == "new");
  CHECK(test::stored(cluster, "c", "k29")->versions()[0].value == "old");
  CHECK(test::stored(cluster, "c", "added-3")->versions()[0].value == "added");
}

TEST_CASE("anti-entropy exchanges only the keys under differing leaves", "[sim][anti-entropy]") {
  Simulator sim(24);
  Config config = ae_config();
  config.hinted_handoff = false;
  SimCluster<> cluster(sim, {"a", "b", "c"}, config);
  auto client = cluster.make_client("client");
  auto keys = write_keys(sim, *client, "bulk-", 1500, "v");
  REQUIRE(sim.run_until([&] { return replicas_agree(cluster, keys); }, 20s, kCheckEvery));
  sim.run_for(3s);  // every partition compared at least once: trees built, nothing to send
  const std::uint64_t sent_before = total(cluster, &Stats::keys_sent);
  cluster.crash("c");
  const auto missed = write_keys(sim, *client, "missed-", 10, "v");
  keys.insert(keys.end(), missed.begin(), missed.end());
  cluster.restart("c");
  REQUIRE(sim.run_until([&] { return replicas_agree(cluster, keys); }, 20s, kCheckEvery));
  const std::uint64_t sent = total(cluster, &Stats::keys_sent) - sent_before;
  INFO("keys sent to repair 10 missed keys among 1,510: " << sent);
  CHECK(sent >= 10);
  CHECK(sent <= 60);
}
