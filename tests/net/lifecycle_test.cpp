// Stopping Nodes and Clients over TCP while their io_context runs on another thread: a stopped
// node is destroyed on this thread while the others keep serving (the sanitizer build runs this
// suite, label lifecycle).

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/use_future.hpp>

#include "net/loopback_cluster.hpp"

using namespace dynamo;
using namespace std::chrono_literals;

TEST_CASE("a node stopped while requests are in flight is destroyed on another thread while "
          "its io_context runs on",
          "[net][lifecycle]") {
  test::LoopbackCluster<> cluster;
  auto client = cluster.client();
  auto [warm_ec, warm] = test::await<WriteResult>(cluster.io, [&](auto done) {
    client->async_put("warm", {}, "v", done);
  });
  REQUIRE_FALSE(warm_ec);

  auto work = asio::make_work_guard(cluster.io);
  cluster.io.restart();
  std::thread io_thread([&] { cluster.io.run(); });

  // Requests in flight on a when it stops: each completes, with its answer or with shutdown.
  std::vector<std::future<WriteResult>> in_flight;
  for (int i = 0; i < 20; ++i) {
    in_flight.push_back(
        cluster.nodes["a"]->async_put("k" + std::to_string(i), {}, "v", asio::use_future));
  }
  cluster.nodes["a"]->async_stop(asio::use_future).get();
  for (auto& put : in_flight) {
    try {
      put.get();
    } catch (const std::system_error& e) {
      CHECK(e.code() == errc::shutdown);
    }
  }
  // A call made after the stop fails with shutdown.
  auto late = cluster.nodes["a"]->async_get("k0", asio::use_future);
  try {
    late.get();
    FAIL("a get on a stopped node succeeded");
  } catch (const std::system_error& e) {
    CHECK(e.code() == errc::shutdown);
  }
  cluster.nodes.erase("a");  // on this thread, while io_thread runs b, c and the client

  // The others carry on: a's connections are closed, so writes pass it over at once.
  for (int i = 0; i < 10; ++i) {
    CHECK_NOTHROW(client->async_put("after-" + std::to_string(i), {}, "v", asio::use_future).get());
  }
  client->async_stop(asio::use_future).get();
  client.reset();
  for (auto& [name, node] : cluster.nodes) node->async_stop(asio::use_future).get();
  cluster.nodes.clear();
  work.reset();
  io_thread.join();  // nothing of the stopped objects is left to run
}

TEST_CASE("metrics may be read on another thread while the node and client serve",
          "[net][lifecycle][metrics]") {
  test::LoopbackCluster<> cluster;
  auto client = cluster.client();
  auto work = asio::make_work_guard(cluster.io);
  std::thread io_thread([&] { cluster.io.run(); });

  // This thread reads while the io thread counts: every figure only grows.
  std::atomic<bool> done{false};
  std::uint64_t reads = 0;
  std::thread reader([&] {
    std::uint64_t last_node = 0;
    std::uint64_t last_client = 0;
    while (!done.load()) {
      const auto n = cluster.nodes.at("a")->metrics().coordinated.total(metrics::OperationKind::put);
      const auto c = client->metrics().requests.total(metrics::OperationKind::put);
      CHECK(n >= last_node);
      CHECK(c >= last_client);
      last_node = n;
      last_client = c;
      ++reads;
    }
  });
  constexpr int puts = 50;
  for (int i = 0; i < puts; ++i) {
    REQUIRE_NOTHROW(client->async_put("m" + std::to_string(i), {}, "v", asio::use_future).get());
  }
  done = true;
  reader.join();
  CHECK(reads > 0);
  CHECK(client->metrics().requests.ok(metrics::OperationKind::put) == puts);
  std::uint64_t coordinated = 0;
  for (auto& [name, node] : cluster.nodes) {
    coordinated += node->metrics().coordinated.ok(metrics::OperationKind::put);
  }
  // Each put is coordinated by one node, and by one more for each coordinator the client passed
  // over (slow past attempt_timeout on a loaded machine), which may still have applied it.
  const std::uint64_t passed_over = client->metrics().passed_over;
  CHECK(coordinated >= puts);
  CHECK(coordinated <= puts + passed_over);

  client->async_stop(asio::use_future).get();
  for (auto& [name, node] : cluster.nodes) node->async_stop(asio::use_future).get();
  work.reset();
  io_thread.join();
}
