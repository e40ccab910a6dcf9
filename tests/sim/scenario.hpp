#pragma once
// A randomized cluster scenario, decided entirely by its seed: a cluster of 3 to 7 nodes (and,
// in one seed of three, one or two spare nodes outside the ring), clients doing gets, puts (with
// and without context) and removes on a small hot key set while crashes, partitions, message
// loss, duplication, reordering, clock skew and nodes joining and leaving come and go; then
// heal, and check the invariants. Every operation is recorded as ok, failed or indeterminate (a
// write that timed out may or may not have landed), as Jepsen does.

#include <cstdint>
#include <string>
#include <vector>

#include "dynamo/testing/simulator.hpp"

namespace dynamo::test {

struct ScenarioSettings {
  std::uint64_t seed = 0;
  int nodes = 3;
  std::uint32_t r = 2;
  std::uint32_t w = 2;
  int clients = 3;
  int hot_keys = 6;
  std::chrono::milliseconds fault_phase{3000};
  // Hinted handoff off, writes strict (only home replicas count): after heal the replicas must
  // converge through Merkle anti-entropy alone, before any read could repair them.
  bool anti_entropy_only = false;
  // Nodes started outside the ring; with any, joins and leaves are among the faults.
  int spares = 0;
};

// The settings a seed stands for; the seed alone reproduces the whole run.
ScenarioSettings settings_for(std::uint64_t seed);

struct OperationCounts {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t indeterminate = 0;
};

struct ScenarioReport {
  ScenarioSettings settings;
  std::vector<std::string> violations;  // empty when every invariant held
  testing::FaultCounts faults;
  OperationCounts operations;
  std::uint64_t membership_changes = 0;  // joins and leaves the claimant accepted
  std::uint64_t trace = 0;
};

ScenarioReport run_scenario(const ScenarioSettings& settings);

}  // namespace dynamo::test
