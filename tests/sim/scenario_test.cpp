// Randomized fault scenarios over many seeds. CI runs DYNAMO_SIM_SEEDS seeds (default 1000)
// starting at DYNAMO_SIM_FIRST_SEED (default 1); DYNAMO_SIM_SEED=<s> replays one seed alone.
// A failing seed prints itself and the command that replays it.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

#include "sim/scenario.hpp"

namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

std::string describe(const dynamo::test::ScenarioReport& r) {
  std::ostringstream os;
  os << "seed " << r.settings.seed << ": " << r.settings.nodes << " nodes, R=" << r.settings.r
     << " W=" << r.settings.w << ", " << r.settings.clients << " clients, "
     << r.settings.hot_keys << " hot keys, " << r.settings.spares << " spare node(s)"
     << (r.settings.anti_entropy_only ? ", anti-entropy only" : "") << "\n";
  for (const auto& v : r.violations) os << "  " << v << "\n";
  os << "replay: DYNAMO_SIM_SEED=" << r.settings.seed << " tests/sim/dynamo_sim_tests \"[scenario]\"";
  return os.str();
}

}  // namespace

TEST_CASE("randomized fault scenarios keep the invariants", "[sim][scenario]") {
  std::uint64_t first = env_or("DYNAMO_SIM_FIRST_SEED", 1);
  std::uint64_t count = env_or("DYNAMO_SIM_SEEDS", 1000);
  if (const char* one = std::getenv("DYNAMO_SIM_SEED")) {
    first = std::strtoull(one, nullptr, 10);
    count = 1;
  }
  dynamo::testing::FaultCounts total;
  dynamo::test::OperationCounts ops;
  dynamo::test::AvailabilityCounts availability;
  std::uint64_t seeds_run = 0;
  std::uint64_t judged_seeds = 0;  // seeds with an operation the availability judge judged
  std::uint64_t failures = 0;
  std::uint64_t changes = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    const auto report = dynamo::test::run_scenario(dynamo::test::settings_for(seed));
    total += report.faults;
    ops.ok += report.operations.ok;
    ops.failed += report.operations.failed;
    ops.indeterminate += report.operations.indeterminate;
    changes += report.membership_changes;
    availability += report.availability;
    ++seeds_run;
    if (report.availability.judged > 0) ++judged_seeds;
    if (!report.violations.empty()) {
      ++failures;
      std::cout << describe(report) << std::endl;
      if (failures >= 5) break;  // enough to debug; the rest would only repeat
    }
  }
  std::cout << "scenarios: " << seeds_run << " seeds from " << first << "; operations ok " << ops.ok
            << ", failed " << ops.failed << ", indeterminate " << ops.indeterminate
            << "\nfaults: dropped " << total.dropped << ", duplicated " << total.duplicated
            << ", reordered " << total.reordered << ", lost to partitions " << total.partitioned
            << ", lost to down nodes " << total.to_down_node << ", crashes " << total.crashes
            << ", restarts " << total.restarts << ", partitions " << total.partitions
            << ", clock skews " << total.skews << ", membership changes " << changes << "\n"
            << dynamo::test::describe(availability) << " (in " << judged_seeds << " of "
            << seeds_run << " seeds)" << std::endl;
  CHECK(failures == 0);
  if (count >= 20) {
    CHECK(total.dropped > 0);
    CHECK(total.duplicated > 0);
    CHECK(total.reordered > 0);
    CHECK(total.partitioned > 0);
    CHECK(total.crashes > 0);
    CHECK(total.restarts > 0);
    CHECK(total.skews > 0);
    CHECK(ops.indeterminate > 0);
    CHECK(changes > 0);
    // The availability judge must have had something to judge in most seeds (not in those where
    // a membership change or a restarted node cut off kept the world changing through the hold).
    CHECK(judged_seeds * 2 >= seeds_run);
    CHECK(availability.should_succeed > 0);
  }
}

TEST_CASE("a scenario replays identically from its seed", "[sim][scenario][determinism]") {
  const auto settings = dynamo::test::settings_for(777);
  const auto first = dynamo::test::run_scenario(settings);
  const auto second = dynamo::test::run_scenario(settings);
  CHECK(first.trace == second.trace);
  CHECK(first.operations.ok == second.operations.ok);
  CHECK(first.faults.dropped == second.faults.dropped);
}
