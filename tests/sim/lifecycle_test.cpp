// A Node's and a Client's life around their requests: async_stop fails what is pending with
// errc::shutdown and every later call likewise; an operation queued to an object destroyed
// before the operation ran completes with errc::shutdown and touches nothing freed (the
// sanitizer build runs these); an operation is outstanding work on its handler's executor
// until the handler ran; a cancelled operation completes at once with operation_aborted.

#include <catch2/catch.hpp>

#include <optional>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/io_context.hpp>

#include "sim/sim_support.hpp"

namespace dynamo {
namespace {

using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;

// The handler ran, and was told the node or client shut down.
void check_shut_down(const std::optional<std::error_code>& ec) {
  REQUIRE(ec.has_value());
  CHECK(*ec == errc::shutdown);
}

// The handler ran, without an error.
void check_done(const std::optional<std::error_code>& ec) {
  REQUIRE(ec.has_value());
  CHECK_FALSE(*ec);
}

TEST_CASE("a request queued to a node destroyed before it ran completes with shutdown",
          "[sim][lifecycle]") {
  Simulator sim(171);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  sim.run_for(1s);
  std::optional<std::error_code> got;
  std::optional<std::error_code> put;
  cluster.node("a").async_get("k", [&](std::error_code ec, GetResult) { got = ec; });
  cluster.node("a").async_put("k", {}, "v", [&](std::error_code ec, WriteResult) { put = ec; });
  cluster.crash("a");  // destroys the Node before its queued requests ran
  sim.run_for(10ms);
  check_shut_down(got);
  check_shut_down(put);
}

TEST_CASE("a stopped node fails what was pending and every later call with shutdown, and the "
          "others carry on",
          "[sim][lifecycle]") {
  Simulator sim(172);
  SimCluster<> cluster(sim, {"a", "b", "c", "d"}, test::small_config());
  sim.run_for(1s);
  auto& a = cluster.node("a");
  const Key key = test::key_coordinated_by(cluster, "a");
  sim.partition({{"a"}});  // a's write waits for replicas it cannot reach
  std::optional<std::error_code> pending;
  std::optional<std::error_code> stopped;
  a.async_put(key, {}, "v", [&](std::error_code ec, WriteResult) { pending = ec; });
  a.async_stop([&](std::error_code ec) { stopped = ec; });
  sim.run_for(20ms);  // well within the write's 200 ms request timeout
  check_shut_down(pending);
  check_done(stopped);
  CHECK(a.core().stopped());
  CHECK(a.core().pending() == 0);

  const auto later = test::get(sim, a, key);
  CHECK(later.ec == errc::shutdown);
  std::optional<std::error_code> again;
  a.async_stop([&](std::error_code ec) { again = ec; });
  sim.run_for(1ms);
  check_done(again);  // stopping a stopped node is no error

  sim.heal();
  auto client = cluster.make_client("client");
  const auto put = test::put(sim, *client, key, {}, "without a");
  CHECK_FALSE(put.ec);
}

TEST_CASE("a stopped client fails what was pending and every later call with shutdown",
          "[sim][lifecycle]") {
  Simulator sim(173);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  sim.run_for(1s);
  sim.partition({{"client"}});
  std::optional<std::error_code> pending;
  std::optional<std::error_code> stopped;
  client->async_put("k", {}, "v", [&](std::error_code ec, WriteResult) { pending = ec; });
  client->async_stop([&](std::error_code ec) { stopped = ec; });
  sim.run_for(10ms);
  check_shut_down(pending);
  check_done(stopped);
  CHECK(test::get(sim, *client, "k").ec == errc::shutdown);
  // Queued before the client is destroyed, run after.
  std::optional<std::error_code> orphan;
  client->async_get("k", [&](std::error_code ec, GetResult) { orphan = ec; });
  client.reset();
  sim.run_for(10ms);
  check_shut_down(orphan);
}

TEST_CASE("an operation is outstanding work on its handler's executor until the handler ran",
          "[sim][lifecycle]") {
  Simulator sim(174);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  sim.run_for(1s);
  asio::io_context other;
  bool ran = false;
  cluster.node("a").async_put("k", {}, "v",
                              asio::bind_executor(other, [&](std::error_code ec, WriteResult) {
                                CHECK_FALSE(ec);
                                ran = true;
                              }));
  // The put has not run (the simulator has not moved): only the work it tracks keeps `other`
  // from running out of work, which would stop it (run() would return at once).
  CHECK(other.run_one_for(20ms) == 0);
  CHECK_FALSE(other.stopped());
  sim.run_for(1s);
  CHECK(other.run_one_for(1s) == 1);
  CHECK(ran);
  CHECK(other.run_one_for(1ms) == 0);
  CHECK(other.stopped());  // and once the handler ran, nothing is left
}

TEST_CASE("a successful call's error_code is the empty one, from a node and from a client",
          "[sim][lifecycle]") {
  Simulator sim(175);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  sim.run_for(1s);
  const auto via_client = test::put(sim, *client, "k", {}, "v");
  CHECK(via_client.ec == std::error_code{});
  const auto via_node = test::put(sim, cluster.node("b"), "k2", {}, "v");
  CHECK(via_node.ec == std::error_code{});
  auto through_node = cluster.make_client(
      "via-node", [](ClientConfig& c) { c.read_coordination = ReadCoordination::node; });
  CHECK(test::get(sim, *through_node, "k").ec == std::error_code{});
}

TEST_CASE("a cancelled request completes at once with operation_aborted, and only once",
          "[sim][lifecycle][cancel]") {
  Simulator sim(176);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");  // request_timeout 3 s
  sim.run_for(1s);
  sim.partition({{"client"}});  // nothing the client sends arrives: the get waits
  asio::cancellation_signal cancel;
  std::optional<std::error_code> got;
  int calls = 0;
  client->async_get("k", asio::bind_cancellation_slot(cancel.slot(),
                                                      [&](std::error_code ec, GetResult r) {
                                                        got = ec;
                                                        ++calls;
                                                        CHECK(r.values.empty());
                                                      }));
  sim.run_for(20ms);
  CHECK_FALSE(got.has_value());
  cancel.emit(asio::cancellation_type::terminal);
  sim.run_for(1ms);
  REQUIRE(got.has_value());
  CHECK(*got == asio::error::operation_aborted);
  sim.run_for(5s);  // the request ends inside the client (its timeout): the handler is not called again
  CHECK(calls == 1);
  CHECK(client->core().pending() == 0);

  // A put through a node, cancelled after it completed: nothing happens.
  std::optional<std::error_code> wrote;
  asio::cancellation_signal late;
  sim.heal();
  cluster.node("a").async_put("k", {}, "v",
                              asio::bind_cancellation_slot(late.slot(), [&](std::error_code ec, WriteResult) {
                                wrote = ec;
                              }));
  sim.run_for(1s);
  check_done(wrote);
  late.emit(asio::cancellation_type::terminal);
  sim.run_for(1ms);
  check_done(wrote);
}

TEST_CASE("a node and a client say when they are ready, time out when they cannot be, and "
          "a stop ends the wait",
          "[sim][lifecycle][ready]") {
  Simulator sim(177);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  std::optional<std::error_code> node_ready;
  const auto asked = sim.now();
  cluster.node("a").async_ready(5s, [&](std::error_code ec) { node_ready = ec; });
  REQUIRE(sim.run_until([&] { return node_ready.has_value(); }, 6s));
  check_done(node_ready);
  CHECK(sim.now() - asked < 1s);  // the handshakes with b and c (W = 2: one is enough)
  CHECK(cluster.node("a").core().ready());

  auto client = cluster.make_client("client");
  std::optional<std::error_code> client_ready;
  client->async_ready(5s, [&](std::error_code ec) { client_ready = ec; });
  REQUIRE(sim.run_until([&] { return client_ready.has_value(); }, 6s));
  check_done(client_ready);

  // A node that never reaches W members is not ready: its wait times out, or ends at a stop.
  Simulator alone(178);
  SimCluster<> lonely(alone, {"x", "y", "z"}, test::small_config());
  lonely.crash("y");
  lonely.crash("z");
  std::optional<std::error_code> timed_out;
  const auto since = alone.now();
  lonely.node("x").async_ready(1s, [&](std::error_code ec) { timed_out = ec; });
  REQUIRE(alone.run_until([&] { return timed_out.has_value(); }, 5s));
  CHECK(*timed_out == errc::timeout);
  CHECK(alone.now() - since >= 1s);
  CHECK(alone.now() - since <= 1s + 50ms);
  std::optional<std::error_code> stopped_wait;
  lonely.node("x").async_ready(60s, [&](std::error_code ec) { stopped_wait = ec; });
  alone.run_for(100ms);
  lonely.node("x").async_stop([](std::error_code) {});
  alone.run_for(10ms);
  check_shut_down(stopped_wait);
}

}  // namespace
}  // namespace dynamo
