// A node's named periodic jobs: each runs on its own interval, may ask for an early next run,
// and nothing runs after stop().

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dynamo/node/periodic_jobs.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using dynamo::PeriodicJobs;
using Next = std::optional<std::chrono::milliseconds>;

using dynamo::test::ManualTimers;

TEST_CASE("each job runs on its own interval, whatever the others' are", "[node][jobs]") {
  ManualTimers timers;
  PeriodicJobs<ManualTimers> jobs(timers);
  std::vector<std::string> ran;
  jobs.add("fast", 100ms, [&]() -> Next { ran.push_back("fast@" + std::to_string(timers.now.count())); return {}; });
  jobs.add("slow", 250ms, [&]() -> Next { ran.push_back("slow@" + std::to_string(timers.now.count())); return {}; });
  jobs.check_invariants();
  timers.advance_to(500ms);
  CHECK(ran == std::vector<std::string>{"fast@100", "fast@200", "slow@250", "fast@300", "fast@400",
                                        "slow@500", "fast@500"});
  CHECK(jobs.names() == std::vector<std::string>{"fast", "slow"});
  CHECK(jobs.interval("slow") == 250ms);
  CHECK_FALSE(jobs.interval("none"));
  jobs.check_invariants();
}

TEST_CASE("a job with more work waiting asks for an early next run", "[node][jobs]") {
  ManualTimers timers;
  PeriodicJobs<ManualTimers> jobs(timers);
  int steps_left = 3;
  std::vector<long> at;
  jobs.add("maintenance", 1000ms, [&]() -> Next {
    at.push_back(static_cast<long>(timers.now.count()));
    if (steps_left-- > 0) return 20ms;
    return {};
  });
  timers.advance_to(2100ms);
  CHECK(at == std::vector<long>{1000, 1020, 1040, 1060, 2060});
}

TEST_CASE("nothing runs after stop, also when a job stops the jobs itself", "[node][jobs]") {
  ManualTimers timers;
  PeriodicJobs<ManualTimers> jobs(timers);
  int runs = 0;
  jobs.add("stopper", 100ms, [&]() -> Next {
    if (++runs == 2) jobs.stop();
    return {};
  });
  timers.advance_to(1s);
  CHECK(runs == 2);
  CHECK(timers.pending.empty());
  jobs.check_invariants();
  jobs.stop();  // idempotent
}

TEST_CASE("a job without a positive interval, or with a name taken, is a configuration mistake",
          "[node][jobs]") {
  ManualTimers timers;
  PeriodicJobs<ManualTimers> jobs(timers);
  CHECK_THROWS_AS(jobs.add("zero", 0ms, [] { return Next{}; }), std::invalid_argument);
  jobs.add("gossip", 10ms, [] { return Next{}; });
  CHECK_THROWS_AS(jobs.add("gossip", 10ms, [] { return Next{}; }), std::invalid_argument);
}
