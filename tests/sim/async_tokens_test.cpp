// The async API with Asio's completion tokens other than a plain callback.

#include <catch2/catch.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;

TEST_CASE("the async API works with use_future and use_awaitable", "[sim][request][async]") {
  Simulator sim(10);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  auto written = client->async_put("k", Context{}, "v", asio::use_future);
  sim.run_for(1s);
  // use_future completes on asio's system executor, a thread of its own: wait for it.
  REQUIRE(written.wait_for(10s) == std::future_status::ready);
  const WriteResult w = written.get();
  CHECK_FALSE(w.context.empty());

  std::optional<std::vector<Value>> seen;
  asio::co_spawn(
      sim.io(),
      [&]() -> asio::awaitable<void> {
        const GetResult r = co_await client->async_get("k", asio::use_awaitable);
        seen = r.values;
      },
      asio::detached);
  sim.run_for(1s);
  REQUIRE(seen.has_value());
  CHECK(*seen == std::vector<Value>{"v"});

  // The error as a value instead of an exception, as node.hpp's example does (Asio 1.22 has
  // as_tuple only in asio::experimental).
  std::optional<std::error_code> stopped_get;
  asio::co_spawn(
      sim.io(),
      [&]() -> asio::awaitable<void> {
        co_await client->async_stop(asio::use_awaitable);
        auto [ec, r] = co_await client->async_get(
            "k", asio::experimental::as_tuple(asio::use_awaitable));
        stopped_get = ec;
      },
      asio::detached);
  sim.run_for(1s);
  REQUIRE(stopped_get.has_value());
  CHECK(*stopped_get == errc::shutdown);
}
