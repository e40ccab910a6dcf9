// Nodes and a Client over TcpTransport on loopback, all in one io_context.

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include "dynamo/instances/client_tcp.hpp"
#include "dynamo/instances/node_tcp_memory.hpp"
#include "net/loopback_cluster.hpp"
#include "net/net_support.hpp"
#include "support/request_identity.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using test::await;
using test::LoopbackCluster;

TEST_CASE("a client writes and reads through a three-node cluster over TCP", "[net][cluster]") {
  LoopbackCluster<> cluster;
  auto client = cluster.client();
  auto [put_ec, written] = await<WriteResult>(cluster.io, [&](auto done) {
    client->async_put("cart:1", {}, "book", done);
  });
  REQUIRE_FALSE(put_ec);
  auto [get_ec, read] = await<GetResult>(cluster.io, [&](auto done) {
    client->async_get("cart:1", done);
  });
  REQUIRE_FALSE(get_ec);
  CHECK(read.values == std::vector<Value>{"book"});
}

TEST_CASE("a stopped node misses writes and receives them as hints when it returns",
          "[net][cluster]") {
  LoopbackCluster<> cluster;
  auto client = cluster.client();
  cluster.nodes.erase("c");
  // Every write succeeds through a and b (a write whose first coordinator was c passes it over
  // as soon as its connection is refused), with a hint for c.
  std::size_t acked = 0;
  for (int i = 0; i < 20; ++i) {
    auto [ec, w] = await<WriteResult>(cluster.io, [&](auto done) {
      client->async_put("key-" + std::to_string(i), {}, "v", done);
    });
    CHECK_FALSE(ec);
    acked += ec ? 0 : 1;
  }
  CHECK(acked == 20);
  cluster.start("c");
  const auto held = [&](const std::string& node) { return cluster.nodes[node]->core().storage().size(); };
  const auto hints = [&](const std::string& node) {
    return cluster.nodes[node]->core().storage().hint_count();
  };
  // A hint is dropped once its delivery is acknowledged, which can trail c storing the key.
  const bool converged = test::run_until(cluster.io, [&] {
    return held("c") >= acked && held("c") == held("a") && held("a") == held("b") &&
           hints("a") == 0 && hints("b") == 0 && hints("c") == 0;
  }, 15s);
  INFO("acked " << acked << ", held a=" << held("a") << " b=" << held("b") << " c=" << held("c")
                << ", hints a=" << hints("a") << " b=" << hints("b") << " c=" << hints("c"));
  REQUIRE(converged);
}

TEST_CASE("a client whose first seed is down writes through the others at once",
          "[net][cluster][failover]") {
  LoopbackCluster<> cluster;
  cluster.nodes.erase("a");  // its port now refuses connections, as after kill -9
  auto client = cluster.client();
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto [ec, w] = await<WriteResult>(cluster.io, [&](auto done) {
      client->async_put("key-" + std::to_string(i), {}, "v", done);
    });
    const auto took = std::chrono::steady_clock::now() - start;
    INFO("key-" << i << " took "
                << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    REQUIRE_FALSE(ec);
    // A refused connection passes a over at once: no put waits out an attempt_timeout.
    CHECK(took < client->core().attempt_timeout());
  }
}

TEST_CASE("two clients of one name over TCP each get only their own answers",
          "[net][cluster][identity]") {
  LoopbackCluster<> cluster;
  auto one = cluster.client();  // both call themselves "client", as two copies of a service
  auto two = cluster.client();
  const auto crossed = test::own_keys_at_once(*one, *two, 10);
  REQUIRE(test::run_until(cluster.io, [&] { return crossed->reads_done == 20; }, 30s));
  INFO(::Catch::Detail::stringify(crossed->wrong));
  CHECK(crossed->wrong.empty());
}


TEST_CASE("a resolver that throws fails its read, and the node's connections go on",
          "[net][cluster][resolver]") {
  std::vector<std::string> logged;
  LoopbackCluster<test::ThrowingResolver> cluster([&](std::string_view line) { logged.emplace_back(line); });
  auto client = cluster.client();
  auto& node = *cluster.nodes.at("a");
  const WriteOptions all{3, false};
  REQUIRE_FALSE(await<WriteResult>(cluster.io, [&](auto done) {
    client->async_put("bad", {}, "boom", all, done);
  }).first);
  // The host's own read through node a: the resolver runs inside a's handling of the replicas'
  // answers, as they arrive on its connections.
  const auto failed = await<GetResult>(cluster.io, [&](auto done) { node.async_get("bad", done); });
  CHECK(failed.first == errc::resolver_failed);
  const Context context = failed.second.context;  // a lambda below takes it (not a binding)
  CHECK(failed.second.siblings.size() == 1);
  // Node a and every connection it has still serve: writes that need all three replicas.
  for (int i = 0; i < 20; ++i) {
    auto [put_ec, w] = await<WriteResult>(cluster.io, [&](auto done) {
      node.async_put("key-" + std::to_string(i), {}, "v", all, done);
    });
    INFO(i);
    REQUIRE_FALSE(put_ec);
  }
  auto [fix_ec, fixed] = await<WriteResult>(cluster.io, [&](auto done) {
    node.async_put("bad", context, "mended", all, done);
  });
  REQUIRE_FALSE(fix_ec);
  auto [again_ec, again] = await<GetResult>(cluster.io, [&](auto done) { client->async_get("bad", done); });
  REQUIRE_FALSE(again_ec);
  CHECK(again.values == std::vector<Value>{"mended"});
  CHECK(std::ranges::any_of(logged, [](const std::string& line) {
    return line.find("threw on key \"bad\": cannot merge boom") != std::string::npos;
  }));
}

TEST_CASE("a completion handler's exception leaves run(), and the node goes on serving",
          "[net][cluster][resolver]") {
  LoopbackCluster<> cluster;
  auto& node = *cluster.nodes.at("a");
  bool ran = false;
  node.async_put("k", {}, "v", [&](std::error_code, WriteResult) {
    ran = true;
    throw std::runtime_error("the host's handler failed");
  });
  bool thrown = false;
  try {
    test::run_until(cluster.io, [&] { return ran; });
  } catch (const std::runtime_error& e) {
    thrown = std::string(e.what()) == "the host's handler failed";
  }
  CHECK(ran);
  CHECK(thrown);  // as Asio does: out of run(), to the host
  auto client = cluster.client();
  for (int i = 0; i < 10; ++i) {
    auto [ec, w] = await<WriteResult>(cluster.io, [&](auto done) {
      node.async_put("after-" + std::to_string(i), {}, "v", WriteOptions{3, false}, done);
    });
    REQUIRE_FALSE(ec);
  }
  auto [ec, read] = await<GetResult>(cluster.io, [&](auto done) { client->async_get("k", done); });
  REQUIRE_FALSE(ec);
  CHECK(read.values == std::vector<Value>{"v"});
}
