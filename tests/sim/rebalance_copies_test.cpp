// Copies after rebalancing: a cluster grows and shrinks while a client writes fresh keys, as the
// loopback membership test does between processes; once membership settles and the cluster is
// quiet (no write in flight, no hint), every acknowledged key is stored exactly N times, at its
// home replicas. Counted
// straight from the disks, with anti-entropy off and before any read, so nothing can mend a copy
// the write path or a transfer failed to place. Each seed is a
// different interleaving of writes with the transfers; DYNAMO_SIM_SEEDS scales their number.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <algorithm>
#include <vector>
#include <sstream>

#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;
using ClientType = SimCluster<>::ClientType;

namespace {

// Writes fresh keys back to back, `window` at a time, until stopped; remembers every key whose
// put was acknowledged. A put that failed is not retried (its key may or may not exist).
class FreshKeyWriter {
 public:
  FreshKeyWriter(Simulator& sim, ClientType& client, int window) : sim_(sim), client_(client) {
    for (int i = 0; i < window; ++i) next();
  }
  void stop() { running_ = false; }
  bool idle() const { return in_flight_ == 0; }
  const std::vector<Key>& acked() const { return acked_; }

 private:
  void next() {
    if (!running_) return;
    const Key key = "key-" + std::to_string(count_++);
    ++in_flight_;
    client_.async_put(key, {}, "value-" + key, [this, key](std::error_code ec, WriteResult) {
      --in_flight_;
      if (!ec) acked_.push_back(key);
      sim_.schedule("client", 1ms, [this] { next(); });  // timers run while their owner is up
    });
  }

  Simulator& sim_;
  ClientType& client_;
  bool running_ = true;
  int in_flight_ = 0;
  std::size_t count_ = 0;
  std::vector<Key> acked_;
};

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

// The seeds each test runs: DYNAMO_SIM_SEEDS / 100 of them (10 by default, at least 1) from
// DYNAMO_SIM_FIRST_SEED, so a run with ten times the scenario seeds runs ten times these too.
std::vector<std::uint64_t> seeds() {
  const std::uint64_t first = env_or("DYNAMO_SIM_FIRST_SEED", 1);
  const std::uint64_t count = std::max<std::uint64_t>(1, env_or("DYNAMO_SIM_SEEDS", 1000) / 100);
  std::vector<std::uint64_t> out;
  for (std::uint64_t seed = first; seed < first + count; ++seed) out.push_back(seed);
  return out;
}

// A small cluster's config for watching transfers: frequent gossip, `batch` keys a chunk, and
// no anti-entropy, so that only writes and transfers can place a copy.
Config transfer_config(std::uint32_t r, std::uint32_t w, std::uint32_t batch) {
  Config config = test::small_config(3, r, w);
  config.gossip_interval = 200ms;
  config.transfer_batch_keys = batch;
  config.anti_entropy = false;
  return config;
}

// Every acknowledged key whose copies are not exactly its home replicas in the settled ring:
// "key: held by a c d, home a c e".
std::vector<std::string> misplaced_copies(SimCluster<>& cluster, const std::vector<Key>& keys) {
  std::vector<std::string> wrong;
  for (const Key& key : keys) {
    std::vector<std::string> holders;
    for (const std::string& node : cluster.names()) {
      if (cluster.is_up(node) && test::stored(cluster, node, key)) holders.push_back(node);
    }
    std::vector<std::string> home = test::primaries(cluster, key);
    std::ranges::sort(home);
    if (holders == home) continue;
    std::ostringstream line;
    line << key << ": held by";
    for (const std::string& h : holders) line << ' ' << h;
    line << ", home";
    for (const std::string& h : home) line << ' ' << h;
    wrong.push_back(line.str());
  }
  return wrong;
}

// Lets the writer run for `span`, then waits for membership to settle while it keeps writing.
bool write_through_change(Simulator& sim, SimCluster<>& cluster, std::chrono::milliseconds span) {
  sim.run_for(span);
  return test::settle(sim, cluster, 120s);
}

}  // namespace

TEST_CASE("after joins and a leave under writes, every acknowledged key has exactly N copies",
          "[sim][membership][copies]") {
  for (const std::uint64_t seed : seeds()) {
    CAPTURE(seed);
    Simulator sim(seed);
    // Many chunks, so that writes interleave with the transfers.
    const Config config = transfer_config(2, 2, 16);
    SimCluster<> cluster(sim, {"a", "b", "c"}, config);
    auto client = cluster.make_client("client", 1s);
    FreshKeyWriter writer(sim, *client, 8);
    sim.run_for(2s);

    cluster.add_node("d");
    bool joined = false;
    client->async_join(NewMember{"d", {}, {}, 1}, [&](std::error_code ec, MembershipResult) {
      joined = !ec;
    });
    REQUIRE(write_through_change(sim, cluster, 1s));
    REQUIRE(joined);

    auto& e = cluster.add_node("e");
    e.async_join([](std::error_code, MembershipResult) {});
    REQUIRE(write_through_change(sim, cluster, 1s));

    client->async_leave("b", [](std::error_code, MembershipResult) {});
    // b stops once it has handed everything off, as dynamo-peer does: whatever is still sent
    // to it is lost, and its senders must make up for it.
    REQUIRE(sim.run_until([&] { return cluster.node("b").core().has_left(); }, 120s));
    cluster.crash("b");
    writer.stop();
    REQUIRE(sim.run_until([&] { return writer.idle(); }, 30s));
    REQUIRE(test::settle(sim, cluster, 120s));
    // A write is acknowledged once W = 2 replicas hold it: the third copy may still be on its
    // way (or, lost with b, become a hint after the request timeout). Copies are counted once
    // no node has a write in flight, a hint or a misplaced key left.
    REQUIRE(sim.run_until([&] { return test::quiet(cluster); }, 60s, 50ms));

    INFO(writer.acked().size() << " keys acknowledged");
    REQUIRE(writer.acked().size() > 500);
    const auto wrong = misplaced_copies(cluster, writer.acked());
    for (std::size_t i = 0; i < std::min<std::size_t>(wrong.size(), 10); ++i) UNSCOPED_INFO(wrong[i]);
    CHECK(wrong.empty());
  }
}

TEST_CASE("a fetch restarted at the same source takes no late chunk of its earlier request",
          "[sim][membership][copies]") {
  // Replies slower than the fetch timeout, and one source left: each timed-out fetch asks the
  // same source again from the first slice, while answers to its earlier requests still arrive
  // (a few hundred per seed, each dropped: every slice is asked under an id of its own). The
  // joiner must still end up with every key of its partitions, and its source drop only those.
  for (const std::uint64_t seed : seeds()) {
    CAPTURE(seed);
    Simulator sim(seed);
    Config config = transfer_config(1, 1, 4);
    config.phi_acceptable_pause = 3s;  // slow answers are not failures here
    SimCluster<> cluster(sim, {"a", "b", "c"}, config);
    auto client = cluster.make_client("client");
    std::vector<Key> keys;
    for (int i = 0; i < 300; ++i) {
      keys.push_back("key-" + std::to_string(i));
      REQUIRE_FALSE(test::put(sim, *client, keys.back(), {}, "v").ec);
    }
    sim.run_for(1s);  // every replica holds every key
    cluster.crash("b");
    cluster.crash("c");
    sim.run_for(10s);  // a marks them down: it is the only source left
    cluster.add_node("d");
    bool joined = false;
    client->async_join(NewMember{"d", {}, {}, 1}, [&](std::error_code ec, MembershipResult) {
      joined = !ec;
    });
    REQUIRE(sim.run_until([&] { return joined; }, 30s));
    sim.network().min_latency = 50ms;
    sim.network().max_latency = 350ms;  // beyond the fetch timeout of 2 x 200 ms, now and then
    REQUIRE(test::settle(sim, cluster, 300s));
    sim.network().min_latency = 1ms;
    sim.network().max_latency = 10ms;
    // Every key d is now a home replica of is on d: it fetched it, and a dropped only that.
    std::vector<Key> missing;
    for (const Key& key : keys) {
      const auto home = test::primaries(cluster, key);
      if (std::ranges::find(home, "d") != home.end() && !test::stored(cluster, "d", key)) {
        missing.push_back(key);
      }
    }
    INFO(missing.size() << " keys missing on d, e.g. " << (missing.empty() ? "" : missing.front()));
    CHECK(missing.empty());
  }
}
