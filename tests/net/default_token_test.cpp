// The default completion token: an async_* call of Node or Client that names no token returns
// a deferred operation (asio::experimental::deferred in Asio 1.22), which starts nothing until
// it is given a token of its own: a callback, use_future, use_awaitable.

#include <catch2/catch.hpp>

#include <future>
#include <optional>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include "net/loopback_cluster.hpp"

using namespace dynamo;
using namespace std::chrono_literals;

TEST_CASE("an async call without a token is deferred until it is given one",
          "[net][lifecycle][token]") {
  test::LoopbackCluster<> cluster;
  auto client = cluster.client();
  auto& node = *cluster.nodes["a"];

  auto ready = client->async_ready(5s);
  auto put = node.async_put("k", {}, "v");
  // Nothing has started: the node holds no key even once the io_context has run.
  test::run_until(cluster.io, [] { return false; }, 50ms);
  CHECK(node.core().storage().size() == 0);

  std::optional<std::error_code> ready_ec;
  std::move(ready)([&](std::error_code ec) { ready_ec = ec; });
  REQUIRE(test::run_until(cluster.io, [&] { return ready_ec.has_value(); }));
  CHECK_FALSE(*ready_ec);

  std::future<WriteResult> written = std::move(put)(asio::use_future);
  REQUIRE(test::run_until(cluster.io, [&] {
    return written.wait_for(0s) == std::future_status::ready;
  }));
  CHECK(written.get().siblings.size() == 1);

  // In a coroutine: co_await the deferred operation given use_awaitable.
  std::optional<GetResult> read;
  asio::co_spawn(
      cluster.io,
      [&]() -> asio::awaitable<void> {
        read = co_await client->async_get("k")(asio::use_awaitable);
      },
      asio::detached);
  REQUIRE(test::run_until(cluster.io, [&] { return read.has_value(); }));
  CHECK(read->values == std::vector<Value>{"v"});

  // Every other call has the default too.
  std::optional<std::error_code> removed_ec, stopped_ec;
  client->async_remove("k", read->context)([&](std::error_code ec, WriteResult) {
    removed_ec = ec;
  });
  REQUIRE(test::run_until(cluster.io, [&] { return removed_ec.has_value(); }));
  CHECK_FALSE(*removed_ec);
  node.async_stop()([&](std::error_code ec) { stopped_ec = ec; });
  REQUIRE(test::run_until(cluster.io, [&] { return stopped_ec.has_value(); }));
  CHECK_FALSE(*stopped_ec);
  // Every other call has the default too (compiled here, never started).
  static_cast<void>(node.async_get("k", ReadOptions{}));
  static_cast<void>(node.async_put("k", {}, "v", WriteOptions{}));
  static_cast<void>(node.async_remove("k", {}, WriteOptions{}));
  static_cast<void>(node.async_join());
  static_cast<void>(node.async_leave());
  static_cast<void>(client->async_status("a"));
  static_cast<void>(client->async_status("a", true));
  static_cast<void>(client->async_join(NewMember{"d", "127.0.0.1:1", {}, 1}));
  static_cast<void>(client->async_leave("d"));
  std::optional<std::error_code> client_stopped;
  client->async_stop()([&](std::error_code ec) { client_stopped = ec; });
  REQUIRE(test::run_until(cluster.io, [&] { return client_stopped.has_value(); }));
}
