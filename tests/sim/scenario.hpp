#pragma once
// A randomized cluster scenario, decided entirely by its seed: a cluster of 3 to 7 nodes (and,
// in one seed of three, one or two spare nodes outside the ring), clients doing gets, puts (with
// and without context) and removes on a small hot key set while crashes, partitions, message
// loss, duplication, reordering, clock skew and nodes joining and leaving come and go; then
// heal, and check the invariants. Every operation is recorded as ok, failed or indeterminate (a
// write that timed out may or may not have landed), as Jepsen does. Between the faults and the
// heal, a hold phase freezes the faults as they are while the clients go on, so the
// availability judge (availability.hpp) can hold the cluster to its promise in every seed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dynamo/testing/simulator.hpp"
#include "sim/availability.hpp"

namespace dynamo::test {

// One fault chosen instead of the random mix, held from early in the fault phase through the
// hold phase: the node in `role` crashed, or cut off from everyone else by a partition.
struct HeldFault {
  enum class Role { first_seed, claimant, coordinator };  // coordinator: of every hot key
  enum class Kind { crash, partition };
  Role role = Role::first_seed;
  Kind kind = Kind::crash;
};

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
  // With a held fault, the nodes are named so that the clients' first seed, the claimant and
  // the hot keys' coordinator are three different nodes, and no other fault is injected.
  std::optional<HeldFault> held;
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
  AvailabilityCounts availability;
  std::string held_victim;  // the node the held fault took, if any
};

ScenarioReport run_scenario(const ScenarioSettings& settings);

}  // namespace dynamo::test
