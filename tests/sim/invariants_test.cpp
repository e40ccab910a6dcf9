// Invariants checked after every simulated event: the simulator reports a broken one with the
// seed, the event and the endpoint; the cores' check_invariants() catch a lost timeout; and the
// sibling rule the checks use refuses a set that breaks it.

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "dynamo/testing/sim_transport.hpp"
#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::InvariantViolation;
using testing::SimCluster;
using testing::SimTransport;
using testing::Simulator;

namespace {

// What the run throws, or "" if it throws nothing.
template <class Run>
std::string violation_of(Run run) {
  try {
    run();
  } catch (const InvariantViolation& e) {
    return e.what();
  }
  return "";
}

// Cancels every timer scheduled while `act` ran: the ids are consecutive, so two sentinel timers
// bracket them.
template <class Act>
void cancel_timers_of(Simulator& sim, const std::string& endpoint, Act act) {
  const TimerId before = sim.schedule(endpoint, 1h, [] {});
  act();
  const TimerId after = sim.schedule(endpoint, 1h, [] {});
  REQUIRE(after > before + 1);
  for (TimerId id = before + 1; id < after; ++id) sim.cancel(id);
}

Versioned version(std::uint64_t actor, std::uint64_t counter, VectorClock past = {}) {
  return Versioned{.dot = Dot{ActorId{actor}, counter}, .timestamp = 1, .past = std::move(past),
                   .value = "v", .tombstone = false};
}

}  // namespace

TEST_CASE("a failing checker stops the run, naming the seed, the event and the endpoint",
          "[sim][invariants]") {
  Simulator sim(42);
  SimTransport a(sim, "a");
  a.on_receive([](std::string_view, std::string_view) {});
  bool broken = false;
  sim.add_checker("a", [&] {
    if (broken) throw std::logic_error("the test's rule");
  });
  sim.schedule("a", 5ms, [] {});
  sim.schedule("a", 7ms, [&] { broken = true; });
  const std::string what = violation_of([&] { sim.run_for(10ms); });
  CHECK_THAT(what, Catch::Contains("seed 42") && Catch::Contains("event 2 at 7 ms") &&
                       Catch::Contains("endpoint \"a\"") && Catch::Contains("the test's rule"));
  CHECK(sim.now() == 7ms);  // the run stopped at the event that broke the rule
}

TEST_CASE("a checker goes with its endpoint's incarnation", "[sim][invariants]") {
  Simulator sim(1);
  auto a = std::make_unique<SimTransport>(sim, "a");
  a->on_receive([](std::string_view, std::string_view) {});
  sim.add_checker("a", [] { throw std::logic_error("always broken"); });
  SECTION("marked down") { sim.mark_down("a"); }
  SECTION("detached with its transport") { a.reset(); }
  SimTransport again(sim, "a");
  again.on_receive([](std::string_view, std::string_view) {});
  again.schedule(1ms, [] {});
  CHECK(violation_of([&] { sim.run_for(5ms); }).empty());
}

TEST_CASE("scheduled() is true from schedule() until the timer runs or is cancelled",
          "[sim][invariants]") {
  Simulator sim(1);
  SimTransport a(sim, "a");
  a.on_receive([](std::string_view, std::string_view) {});
  const TimerId runs = a.schedule(1ms, [] {});
  const TimerId cancelled = a.schedule(1ms, [] {});
  CHECK(a.scheduled(runs));
  CHECK(a.scheduled(cancelled));
  a.cancel(cancelled);
  CHECK_FALSE(a.scheduled(cancelled));
  sim.run_for(2ms);
  CHECK_FALSE(a.scheduled(runs));
  CHECK_FALSE(a.scheduled(0));
}

TEST_CASE("a node's write that lost its timeout breaks an invariant", "[sim][invariants]") {
  Simulator sim(7);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  sim.run_for(2s);
  const Key key = test::key_coordinated_by(cluster, "a");
  cancel_timers_of(sim, "a", [&] {
    cluster.node("a").core().put(key, {}, "v", {}, [](std::error_code, Siblings, QuorumReport) {});
  });
  const std::string what = violation_of([&] { sim.run_for(1s); });
  CHECK_THAT(what, Catch::Contains("seed 7") && Catch::Contains("node a") &&
                       Catch::Contains("every write in flight has a live timeout"));
}

TEST_CASE("a node whose periodic timers were lost breaks an invariant", "[sim][invariants]") {
  Simulator sim(8);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  sim.run_for(1s);
  const TimerId last = sim.schedule("a", 1h, [] {});
  for (TimerId id = 1; id < last; ++id) sim.cancel(id);
  const std::string what = violation_of([&] { sim.run_for(1s); });
  CHECK_THAT(what, Catch::Contains("seed 8") && Catch::Contains("periodic job") && Catch::Contains("not armed"));
}

TEST_CASE("a client request that lost its deadline breaks an invariant", "[sim][invariants]") {
  Simulator sim(9);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("shopper");
  sim.run_for(1s);
  cluster.crash("a");
  cluster.crash("b");
  cluster.crash("c");  // so nothing answers and the request waits for its deadline
  cancel_timers_of(sim, "shopper", [&] {
    client->core().put("k", {}, "v", {}, [](std::error_code, Siblings, QuorumReport) {});
  });
  const std::string what = violation_of([&] { sim.run_for(5s); });
  CHECK_THAT(what, Catch::Contains("seed 9") && Catch::Contains("client shopper#") &&
                       Catch::Contains("every request has a live deadline"));
}

TEST_CASE("a node stopped while delivering hints holds nothing in flight", "[sim][invariants]") {
  Simulator sim(10);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  sim.run_for(1s);
  cluster.crash("c");
  for (int i = 0; i < 20; ++i) REQUIRE_FALSE(test::put(sim, *client, "k" + std::to_string(i), {}, "v").ec);
  REQUIRE(cluster.hint_count() > 0);
  sim.run_for(1s);  // the writes' own timeouts pass: what is in flight next is hint delivery
  sim.network() = {50ms, 50ms, 0, 0};  // deliveries stay in flight for a while
  cluster.restart("c");
  const auto delivering = [&] {
    for (const char* name : {"a", "b"}) {
      if (cluster.node(name).core().writes_in_flight() > 0) return name;
    }
    return static_cast<const char*>(nullptr);
  };
  REQUIRE(sim.run_until([&] { return delivering() != nullptr; }, 10s));
  cluster.node(delivering()).core().stop();
  CHECK(violation_of([&] { sim.run_for(1s); }).empty());
}

TEST_CASE("mutually_concurrent refuses a set with a version another has seen",
          "[sim][invariants]") {
  VectorClock saw_first;
  saw_first.witness(ActorId{1}, 1, 1);
  const std::vector<Versioned> concurrent{version(1, 1), version(2, 1)};
  const std::vector<Versioned> dominated{version(1, 1), version(2, 1, saw_first)};
  const std::vector<Versioned> repeated{version(1, 1), version(1, 1)};
  const std::vector<Versioned> unsorted{version(2, 1), version(1, 1)};
  CHECK(mutually_concurrent(concurrent));
  CHECK_FALSE(mutually_concurrent(dominated));
  CHECK_FALSE(mutually_concurrent(repeated));
  CHECK_FALSE(mutually_concurrent(unsorted));
  Siblings added;
  for (const Versioned& v : dominated) added.add(v);
  CHECK(mutually_concurrent(added.versions()));
  CHECK(added.size() == 1);
}
