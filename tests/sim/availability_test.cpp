// Availability with one fault held: the node that plays a part the others lean on (the clients'
// first seed, the claimant, the hot keys' coordinator) crashed, or cut off by a partition, while
// clients get and put through it. Each case runs the scenario (scenario.hpp) with that one
// fault over DYNAMO_AVAIL_SEEDS seeds (default 100) from DYNAMO_AVAIL_FIRST_SEED (default 1);
// DYNAMO_AVAIL_SEED=<s> replays one. Every operation the availability judge says should have
// succeeded must have, and every other invariant of the scenario must hold too.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include "sim/scenario.hpp"

namespace {

using dynamo::test::HeldFault;

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

const char* role_name(HeldFault::Role role) {
  switch (role) {
    case HeldFault::Role::first_seed: return "first seed";
    case HeldFault::Role::claimant: return "claimant";
    case HeldFault::Role::coordinator: return "hot keys' coordinator";
  }
  return "?";
}

void run_held(HeldFault held) {
  std::uint64_t first = env_or("DYNAMO_AVAIL_FIRST_SEED", 1);
  std::uint64_t count = env_or("DYNAMO_AVAIL_SEEDS", 100);
  if (const char* one = std::getenv("DYNAMO_AVAIL_SEED")) {
    first = std::strtoull(one, nullptr, 10);
    count = 1;
  }
  const std::string name = std::string(role_name(held.role)) +
                           (held.kind == HeldFault::Kind::crash ? " crashed" : " cut off");
  dynamo::test::AvailabilityCounts total;
  std::uint64_t failures = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    dynamo::test::ScenarioSettings settings = dynamo::test::settings_for(seed);
    settings.held = held;
    settings.spares = 0;
    settings.fault_phase = std::chrono::milliseconds(1000);
    const auto report = dynamo::test::run_scenario(settings);
    total += report.availability;
    if (!report.violations.empty() && ++failures <= 3) {
      std::cout << name << ", seed " << seed << " (" << report.held_victim << ", "
                << settings.nodes << " nodes, R=" << settings.r << " W=" << settings.w
                << (settings.anti_entropy_only ? ", strict writes" : "") << "):\n";
      for (const auto& v : report.violations) std::cout << "  " << v << "\n";
      std::cout << "replay: DYNAMO_AVAIL_SEED=" << seed
                << " tests/sim/dynamo_sim_tests \"[availability]\"" << std::endl;
    }
  }
  std::cout << name << ": " << count << " seeds from " << first << ", " << failures
            << " failing; " << dynamo::test::describe(total) << std::endl;
  CHECK(failures == 0);
  CHECK(total.succeeded == total.should_succeed);
  CHECK(total.judged > 0);
  CHECK(total.should_succeed > 0);
}

void run_both(HeldFault::Role role) {
  SECTION("crashed") { run_held({role, HeldFault::Kind::crash}); }
  SECTION("cut off") { run_held({role, HeldFault::Kind::partition}); }
}

}  // namespace

TEST_CASE("availability with the clients' first seed failed", "[sim][availability]") {
  run_both(HeldFault::Role::first_seed);
}

TEST_CASE("availability with the claimant failed", "[sim][availability]") {
  run_both(HeldFault::Role::claimant);
}

TEST_CASE("availability with the hot keys' coordinator failed", "[sim][availability]") {
  run_both(HeldFault::Role::coordinator);
}
