#pragma once
// Availability as a simulated invariant: a ledger of every client operation of a scenario and a
// judge of whether it should have succeeded. At an operation's start the judge looks at the
// simulated world: which ring members (of the newest ring any running node holds) are up and
// reachable from the client; a sloppy operation should succeed when at least its quorum (R for a
// get, W for a put or remove) of them are, a strict one when that many of the key's home
// replicas are. The claim holds only once failure detection has had its time: an operation is
// judged only if nothing changed (a crash, a restart, a partition, a heal, the network's
// profile, the ring) from `bound` before its start until it finished, the network was lossless,
// and no member that restarted or joined lately (its or its peers' detectors start afresh, and
// take longer) was cut off from another. Every judged operation that should have succeeded and
// did not is a violation.

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "dynamo/testing/sim_cluster.hpp"

namespace dynamo::test {

// How long after a fault change an operation must still be allowed to fail (see scenario.cpp's
// hold phase, and availability.cpp for the derivation from small_config()).
std::chrono::milliseconds availability_bound();

struct AvailabilityCounts {
  std::uint64_t seen = 0;            // operations recorded
  std::uint64_t judged = 0;          // of them, started in a stable, lossless world
  std::uint64_t should_succeed = 0;  // of those, with their quorum up and reachable
  std::uint64_t succeeded = 0;       // of those, that did succeed

  AvailabilityCounts& operator+=(const AvailabilityCounts& o) {
    seen += o.seen;
    judged += o.judged;
    should_succeed += o.should_succeed;
    succeeded += o.succeeded;
    return *this;
  }
};

// "availability: X of Y should-succeed operations succeeded (Z%), judged J of T".
std::string describe(const AvailabilityCounts& counts);

enum class OpKind { get, put, remove };

class AvailabilityLedger {
 public:
  using Cluster = testing::SimCluster<KeepSiblings>;

  AvailabilityLedger(testing::Simulator& sim, Cluster& cluster, std::chrono::milliseconds bound);

  // Something that decides availability changed now (nodes up, reachability, network profile,
  // membership). Ring changes are also noticed by themselves, at every begin() and end().
  void world_changed();
  // The node restarted now: a fault change, and its detectors start afresh (see availability.cpp).
  void node_restarted(const std::string& name);

  // An operation starts now from `client` (its endpoint name), needing `quorum` nodes (home
  // replicas only if `strict`) within `timeout`. Returns its id for end().
  std::size_t begin(OpKind kind, const std::string& client, const Key& key, std::uint32_t quorum,
                    bool strict, std::chrono::milliseconds timeout);
  void end(std::size_t id, std::error_code ec);

  // Judges every operation recorded; returns one line per violation (at most `max_lines`, then
  // a line counting the rest).
  std::vector<std::string> judge(std::size_t max_lines = 5);
  const AvailabilityCounts& counts() const { return counts_; }

 private:
  struct Op {
    OpKind kind = OpKind::get;
    std::string client;
    Key key;
    std::uint32_t quorum = 0;
    bool strict = false;
    std::chrono::milliseconds start{0};
    std::chrono::milliseconds deadline{0};
    bool judgeable = false;       // lossless network; a stable ring for a strict operation
    bool should_succeed = false;  // the world at its start had its quorum up and reachable
    std::string world;    // that world, for the violation's text
    bool done = false;
    std::chrono::milliseconds finished{0};
    std::error_code ec;
  };


  void notice_ring();
  const membership::RingView* newest_view() const;
  bool fresh_member_cut_off(const ring::Ring& ring) const;
  bool stable_around(const Op& op) const;
  std::string describe(const Op& op) const;

  testing::Simulator& sim_;
  Cluster& cluster_;
  std::chrono::milliseconds bound_;
  std::vector<std::chrono::milliseconds> changes_;  // when the world changed, ascending
  std::map<std::string, std::chrono::milliseconds> fresh_;  // restarted or joined, and when
  std::set<std::string> ring_names_;
  std::uint64_t ring_epoch_ = 0;
  bool ring_stable_ = true;
  std::vector<Op> ops_;
  AvailabilityCounts counts_;
};

}  // namespace dynamo::test
