// Reads the client coordinates itself (ReadCoordination::client, the paper's section 6.4): the
// messages they take, a slow replica, read repair from the client, and a client whose ring is
// out of date.

#include <catch2/catch.hpp>

#include <initializer_list>

#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;

namespace {

// Frames of the request path: client and replica requests, their replies, and acks.
std::uint64_t request_frames(const Simulator& sim) {
  std::uint64_t total = 0;
  for (const wire::MessageType type :
       {wire::MessageType::client_get, wire::MessageType::client_get_reply,
        wire::MessageType::replica_read, wire::MessageType::replica_read_reply,
        wire::MessageType::replica_write, wire::MessageType::hinted_write,
        wire::MessageType::replica_write_ack}) {
    total += sim.frames_sent(static_cast<std::uint8_t>(type));
  }
  return total;
}

std::function<void(ClientConfig&)> coordinated_by(ReadCoordination coordination) {
  return [coordination](ClientConfig& config) {
    config.request_timeout = 1s;
    config.read_coordination = coordination;
  };
}

}  // namespace

TEST_CASE("a client-coordinated read takes 2R messages, a node-coordinated one 2N + 2",
          "[sim][client-read]") {
  Simulator sim(71);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config(3, 2, 2));
  auto own = cluster.make_client("own", coordinated_by(ReadCoordination::client));
  auto via_node = cluster.make_client("via-node", coordinated_by(ReadCoordination::node));
  REQUIRE_FALSE(test::put(sim, *own, "k", {}, "v").ec);
  sim.run_for(500ms);  // every replica holds the write; each client has greeted every node
  for (auto* client : {own.get(), via_node.get()}) {
    REQUIRE_FALSE(test::get(sim, *client, "k", ReadOptions{3, false}).ec);
  }
  sim.run_for(500ms);

  const auto frames_of_get = [&](SimCluster<>::ClientType& client, std::uint32_t r) {
    const std::uint64_t before = request_frames(sim);
    const auto got = test::get(sim, client, "k", ReadOptions{r, false});
    REQUIRE_FALSE(got.ec);
    CHECK(got.result.values == std::vector<Value>{"v"});
    CHECK(got.result.quorum.replied >= r);
    sim.run_for(500ms);  // stragglers and any repair
    return request_frames(sim) - before;
  };
  CHECK(frames_of_get(*own, 2) == 4);
  CHECK(frames_of_get(*own, 1) == 2);
  CHECK(frames_of_get(*own, 3) == 6);
  CHECK(frames_of_get(*via_node, 2) == 6);
  CHECK(frames_of_get(*via_node, 1) == 6);
}

TEST_CASE("a silent replica costs a client-coordinated read the speculation delay, not a timeout",
          "[sim][client-read]") {
  Simulator sim(72);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config(3, 2, 2));
  auto client = cluster.make_client("client", [](ClientConfig& config) {
    config.request_timeout = 2s;
    config.read_hedge_delay = 30ms;
  });
  REQUIRE_FALSE(test::put(sim, *client, "k", {}, "v").ec);
  sim.run_for(500ms);
  const auto home = test::primaries(cluster, "k");
  sim.partition({{home[0]}});  // the first replica the client would ask

  for (const bool strict : {false, true}) {
    INFO("strict " << strict);
    const auto started = sim.now();
    const auto got = test::get(sim, *client, "k", ReadOptions{2, strict});
    REQUIRE_FALSE(got.ec);
    CHECK(got.result.values == std::vector<Value>{"v"});
    CHECK(got.result.quorum == QuorumReport{2, 2, strict});
    CHECK(sim.now() - started < 200ms);
  }
  // With only one home replica left, a strict read of R = 2 fails after the deadline, saying
  // how far it got, and does not take the fallback d's empty answer for a home replica's.
  sim.partition({{home[0]}, {home[1]}});
  const auto strict = test::get(sim, *client, "k", ReadOptions{2, true});
  CHECK(strict.ec == errc::quorum_not_reached);
  CHECK(strict.result.quorum == QuorumReport{1, 2, true});
  sim.partition({{home[0]}, {home[1]}, {home[2]}});
  CHECK(test::get(sim, *client, "k", ReadOptions{1, true}).ec == errc::timeout);
}

TEST_CASE("a client-coordinated read refuses what it cannot do before sending anything",
          "[sim][client-read]") {
  Simulator sim(73);
  Config config = test::small_config(3, 2, 2);
  config.limits.max_key = 16;
  SimCluster<> cluster(sim, {"a", "b", "c"}, config);
  auto client = cluster.make_client("client");
  REQUIRE_FALSE(test::put(sim, *client, "k", {}, "v").ec);
  REQUIRE_FALSE(test::get(sim, *client, "k").ec);  // the client holds the ring now
  const std::uint64_t before = request_frames(sim);
  CHECK(test::get(sim, *client, "k", ReadOptions{4, false}).ec == errc::invalid_request);
  CHECK(test::get(sim, *client, std::string(17, 'k')).ec == errc::too_large);
  CHECK(request_frames(sim) == before);
}

TEST_CASE("a client with an out-of-date ring reads through a node and takes the new ring",
          "[sim][client-read][membership]") {
  Simulator sim(74);
  Config config = test::small_config(3, 2, 2);
  config.gossip_interval = 200ms;
  SimCluster<> cluster(sim, {"a", "b", "c"}, config);
  auto writer = cluster.make_client("writer");
  auto stale = cluster.make_client("stale", [](ClientConfig& c) {
    c.ring_refresh_interval = std::chrono::hours(1);  // only a mismatch makes it ask again
  });
  std::vector<Key> keys;
  for (int i = 0; i < 60; ++i) {
    keys.push_back("k" + std::to_string(i));
    REQUIRE_FALSE(test::put(sim, *writer, keys.back(), {}, keys.back()).ec);
  }
  REQUIRE_FALSE(test::get(sim, *stale, keys[0]).ec);
  const std::uint64_t old_epoch = stale->core().ring_document().epoch;

  cluster.add_node("d");
  REQUIRE_FALSE(test::run<MembershipResult>(sim, [&](auto done) {
                  writer->async_join(NewMember{"d", {}, {}, 1}, done);
                }).ec);
  REQUIRE(test::settle(sim, cluster, 60s));
  REQUIRE(stale->core().ring_document().epoch == old_epoch);  // still the ring before d
  // Old replicas have dropped what moved to d: a read planned with the old ring must not
  // return their empty answers.
  const std::uint64_t node_gets = sim.frames_sent(static_cast<std::uint8_t>(wire::MessageType::client_get));
  for (const Key& key : keys) {
    const auto got = test::get(sim, *stale, key);
    INFO(key);
    REQUIRE_FALSE(got.ec);
    CHECK(got.result.values == std::vector<Value>{key});
  }
  CHECK(sim.frames_sent(static_cast<std::uint8_t>(wire::MessageType::client_get)) > node_gets);
  CHECK(stale->core().ring_document().epoch > old_epoch);
}
