// The simulator itself: virtual time, faults and determinism.

#include <catch2/catch.hpp>

#include "dynamo/testing/sim_transport.hpp"
#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimTransport;
using testing::Simulator;

namespace {
struct Inbox {
  std::vector<std::string> frames;
  SimTransport transport;
  Inbox(Simulator& sim, std::string name) : transport(sim, std::move(name)) {
    transport.on_receive([this](std::string_view, std::string_view f) { frames.emplace_back(f); });
  }
};

// A small workload on a 3-node cluster with every kind of network fault switched on.
std::uint64_t workload_trace(std::uint64_t seed) {
  Simulator sim(seed);
  sim.network() = {1ms, 20ms, 0.05, 0.05};
  testing::SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  Context context;
  for (int i = 0; i < 20; ++i) {
    client->async_put("k" + std::to_string(i % 4), context, "v" + std::to_string(i),
                      [&](std::error_code, WriteResult w) { context = w.context; });
    if (i == 10) cluster.crash("b");
    if (i == 15) cluster.restart("b");
    sim.run_for(30ms);
  }
  sim.run_for(2s);
  return sim.trace_hash();
}
}  // namespace

TEST_CASE("messages arrive after their latency, in virtual time", "[sim][simulator]") {
  Simulator sim(1);
  sim.network() = {5ms, 5ms, 0, 0};
  Inbox a(sim, "a"), b(sim, "b");
  a.transport.send("b", "hello");
  sim.run_for(4ms);
  CHECK(b.frames.empty());
  sim.run_for(1ms);
  CHECK(b.frames == std::vector<std::string>{"hello"});
  CHECK(sim.now() == 5ms);
}

TEST_CASE("run_until checks its condition after each event, or every check_every",
          "[sim][simulator]") {
  Simulator sim(1);
  Inbox a(sim, "a");
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    sim.schedule("a", 1ms, tick);
  };
  sim.schedule("a", 1ms, tick);
  int checks = 0;
  const auto reached = [&](int n) {
    return [&checks, &ticks, n] {
      ++checks;
      return ticks >= n;
    };
  };
  CHECK(sim.run_until(reached(300), 1s));
  CHECK(ticks == 300);  // stops at the first event that makes it true
  CHECK(checks == 301);
  checks = 0;
  CHECK(sim.run_until(reached(600), 1s, 100ms));
  CHECK(ticks >= 600);
  CHECK(ticks < 700);    // found within one check_every of becoming true
  CHECK(checks <= 5);    // at 300 ms, 400, 500, 600 (and the event that crossed it)
  CHECK_FALSE(sim.run_until(reached(1'000'000), 250ms, 100ms));
}

TEST_CASE("partitions drop messages across groups until healed", "[sim][simulator]") {
  Simulator sim(2);
  Inbox a(sim, "a"), b(sim, "b"), c(sim, "c");
  sim.partition({{"a"}, {"b", "c"}});
  a.transport.send("b", "lost");
  b.transport.send("c", "kept");
  sim.run_for(1s);
  CHECK(b.frames.empty());
  CHECK(c.frames == std::vector<std::string>{"kept"});
  CHECK(sim.faults().partitioned == 1);
  sim.heal();
  a.transport.send("b", "after");
  sim.run_for(1s);
  CHECK(b.frames == std::vector<std::string>{"after"});
}

TEST_CASE("drop and duplicate happen at their configured rates", "[sim][simulator]") {
  Simulator sim(3);
  sim.network() = {1ms, 50ms, 0.2, 0.2};
  Inbox a(sim, "a"), b(sim, "b");
  for (int i = 0; i < 1000; ++i) a.transport.send("b", std::to_string(i));
  sim.run_for(1s);
  CHECK(sim.faults().dropped > 120);
  CHECK(sim.faults().dropped < 280);
  CHECK(sim.faults().duplicated > 100);
  CHECK(sim.faults().reordered > 100);
  CHECK(b.frames.size() == 1000 - sim.faults().dropped + sim.faults().duplicated);
}

TEST_CASE("a crashed endpoint loses what was in flight and its timers", "[sim][simulator]") {
  Simulator sim(4);
  sim.network() = {10ms, 10ms, 0, 0};
  Inbox a(sim, "a");
  auto b = std::make_unique<Inbox>(sim, "b");
  bool fired = false;
  b->transport.schedule(50ms, [&] { fired = true; });
  a.transport.send("b", "in flight");
  sim.mark_down("b");
  sim.run_for(100ms);
  CHECK(b->frames.empty());
  CHECK_FALSE(fired);
  b = std::make_unique<Inbox>(sim, "b");
  a.transport.send("b", "after restart");
  sim.run_for(100ms);
  CHECK(b->frames == std::vector<std::string>{"after restart"});
}

TEST_CASE("clock skew shifts only the skewed node's wall clock", "[sim][simulator]") {
  Simulator sim(5);
  Inbox a(sim, "a"), b(sim, "b");
  sim.set_clock_skew("b", -3000ms);
  CHECK(a.transport.wall_clock_ms() - b.transport.wall_clock_ms() == 3000);
  CHECK(a.transport.now() == b.transport.now());
}

TEST_CASE("the same seed replays the same run byte for byte", "[sim][simulator][determinism]") {
  const std::uint64_t first = workload_trace(42);
  CHECK(workload_trace(42) == first);
  CHECK(workload_trace(43) != first);
}
