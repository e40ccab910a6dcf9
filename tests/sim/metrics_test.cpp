// What Node::metrics() and Client::metrics() report after a known history: operations by role,
// kind and outcome with their latency in virtual time, quorum failures, hints stored and
// delivered, read repairs, and the gauges (storage, ring, each peer's state and phi).

#include <catch2/catch.hpp>

#include "sim/sim_support.hpp"

namespace dynamo {
namespace {

using namespace std::chrono_literals;
using metrics::OperationKind;
using metrics::PeerState;
using testing::SimCluster;
using testing::Simulator;

const metrics::PeerMetrics& peer(const metrics::NodeMetrics& m, const std::string& name) {
  for (const auto& p : m.gauges.peers) {
    if (p.name == name) return p;
  }
  FAIL("no peer " << name << " in the metrics of " << m.node);
  return m.gauges.peers.front();
}

TEST_CASE("a node counts its host's operations and those it coordinated, by kind and outcome, "
          "with their latency",
          "[sim][metrics]") {
  Simulator sim(181);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  sim.run_for(1s);
  auto& a = cluster.node("a");
  const Key key = test::key_coordinated_by(cluster, "a");
  const auto written = test::put(sim, a, key, {}, "v");
  REQUIRE_FALSE(written.ec);
  const auto read = test::get(sim, a, key);
  REQUIRE_FALSE(read.ec);
  REQUIRE_FALSE(test::remove(sim, a, key, read.result.context).ec);

  metrics::NodeMetrics m = a.metrics();
  CHECK(m.node == "a");
  for (const auto kind : {OperationKind::get, OperationKind::put, OperationKind::remove}) {
    INFO(metrics::to_string(kind));
    CHECK(m.requests.ok(kind) == 1);
    CHECK(m.requests.total(kind) == 1);
    CHECK(m.coordinated.ok(kind) == 1);  // a is the key's first home replica
    CHECK(m.requests.latency_of(kind).count() == 1);
    // A round trip to a replica takes simulated network time: more than nothing, less than
    // the request timeout.
    CHECK(m.requests.latency_of(kind).percentile(1.0) > 0us);
    CHECK(m.requests.latency_of(kind).percentile(1.0) < 200ms);
  }
  CHECK(m.forwarded == 0);
  CHECK(m.quorum_failures() == 0);

  // Cut off from the replicas it plans with (not yet suspected), a's write waits out its timeout.
  sim.partition({{"a"}, {"b", "c", "d"}});
  const auto lost = test::put(sim, a, key, {}, "w");
  CHECK(lost.ec == errc::quorum_not_reached);
  m = a.metrics();
  CHECK(m.requests.count(OperationKind::put, errc::quorum_not_reached) == 1);
  CHECK(m.coordinated.count(OperationKind::put, errc::quorum_not_reached) == 1);
  CHECK(m.quorum_failures() == 1);
  CHECK(m.requests.latency_of(OperationKind::put).percentile(1.0) >= 180ms);

  // A node that is no home replica of the key forwards its host's get and coordinates nothing.
  sim.heal();
  sim.run_for(2s);
  const auto homes = test::primaries(cluster, key);
  std::string outsider = "a";
  for (const std::string n : {"b", "c", "d"}) {
    if (std::find(homes.begin(), homes.end(), n) == homes.end()) outsider = n;
  }
  REQUIRE(outsider != "a");
  auto& other = cluster.node(outsider);
  REQUIRE_FALSE(test::get(sim, other, key).ec);
  const metrics::NodeMetrics mo = other.metrics();
  CHECK(mo.requests.ok(OperationKind::get) == 1);
  CHECK(mo.forwarded == 1);
  CHECK(mo.coordinated.total(OperationKind::get) == 0);
}

TEST_CASE("a node's metrics show hints stored and delivered, and its peers' state and phi",
          "[sim][metrics]") {
  Simulator sim(182);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  sim.run_for(2s);
  cluster.crash("c");
  sim.run_for(8s);  // long enough for phi to give c up
  std::uint64_t stored = 0;
  for (int i = 0; i < 20; ++i) {
    const Key key = "cart:" + std::to_string(i);
    REQUIRE_FALSE(test::put(sim, cluster.node("a"), key, {}, "v").ec);
  }
  sim.run_for(1s);  // a gossip round publishes the gauges
  for (const std::string n : {"a", "b", "d"}) {
    const metrics::NodeMetrics m = cluster.node(n).metrics();
    stored += m.hints_stored;
    CHECK(m.gauges.members == 4);
    CHECK(peer(m, "c").state == PeerState::down);
    CHECK(peer(m, "c").phi > 8);
    CHECK(m.gauges.hints == cluster.disk(n).hint_count());
    CHECK(m.gauges.keys == cluster.disk(n).size());
    for (const std::string other : {"a", "b", "d"}) {
      if (other != n) CHECK(peer(m, other).state == PeerState::up);
    }
  }
  CHECK(stored > 0);  // c is a home replica of some of 20 keys out of 4 nodes

  cluster.restart("c");
  sim.run_for(10s);
  REQUIRE(cluster.hint_count() == 0);
  std::uint64_t delivered = 0;
  for (const std::string n : {"a", "b", "d"}) {
    const metrics::NodeMetrics m = cluster.node(n).metrics();
    delivered += m.hints_delivered;
    CHECK(peer(m, "c").state == PeerState::up);
    CHECK(m.gauges.hints == 0);
  }
  CHECK(delivered > 0);
  CHECK(delivered <= stored);
}

TEST_CASE("a read that finds a stale replica counts a read repair", "[sim][metrics]") {
  Config config = test::small_config();
  config.hint_replay_interval = 1h;  // neither hints nor anti-entropy repair c first
  config.anti_entropy_interval = 1h;
  Simulator sim(183);
  SimCluster<> cluster(sim, {"a", "b", "c"}, config);
  sim.run_for(1s);
  const Key key = test::key_coordinated_by(cluster, "a");
  sim.partition({{"a", "b"}, {"c"}});
  sim.run_for(3s);
  REQUIRE_FALSE(test::put(sim, cluster.node("a"), key, {}, "v").ec);
  sim.heal();
  sim.run_for(3s);
  REQUIRE_FALSE(test::get(sim, cluster.node("a"), key, ReadOptions{3, false}).ec);
  sim.run_for(1s);
  CHECK(cluster.node("a").metrics().read_repairs == 1);
}

TEST_CASE("a client counts its operations end to end and shows the ring it routes by",
          "[sim][metrics]") {
  Simulator sim(184);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("shop");
  sim.run_for(1s);
  REQUIRE_FALSE(test::put(sim, *client, "cart:1", {}, "v").ec);
  REQUIRE_FALSE(test::get(sim, *client, "cart:1").ec);
  REQUIRE_FALSE(test::get(sim, *client, "cart:2").ec);
  const metrics::ClientMetrics m = client->metrics();
  CHECK(m.client == client->core().identity());
  CHECK(m.requests.ok(OperationKind::put) == 1);
  CHECK(m.requests.ok(OperationKind::get) == 2);
  CHECK(m.requests.latency_of(OperationKind::get).count() == 2);
  CHECK(m.ring_updates >= 1);
  CHECK(m.gauges.ring_epoch == cluster.node("a").core().ring_view().epoch());
  CHECK(m.gauges.nodes == 3);
  CHECK(m.gauges.suspected.empty());
}

}  // namespace
}  // namespace dynamo
