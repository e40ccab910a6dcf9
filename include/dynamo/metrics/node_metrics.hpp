#pragma once
// NodeMetrics: what a Node counts and measures, as a plain snapshot any thread may take
// (Node::metrics()). NodeMetricsRecorder is where the node's executor writes them: counters and
// histograms are atomics read directly; the gauges (storage figures, peers and their phi, ring
// epoch) are computed on the executor and published under a mutex each gossip round.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/metrics/counter.hpp"
#include "dynamo/metrics/operations.hpp"

namespace dynamo::metrics {

// How a node sees a peer: as the status command shows it.
enum class PeerState : std::uint8_t {
  up,         // handshaken, answering, not suspected
  suspected,  // a request to it timed out or it cannot be reached, and nothing heard since
  down,       // the failure detector gave up on it (phi above the threshold)
  refused,    // its handshake was incompatible (protocol, ring shape or resolver)
};
std::string_view to_string(PeerState state);

struct PeerMetrics {
  std::string name;
  PeerState state = PeerState::up;
  double phi = 0;  // the failure detector's suspicion now; 0 before its first heartbeat
};

// Figures that are states, not counts: as of the last refresh (`at`, transport time).
struct NodeGauges {
  std::uint64_t keys = 0;   // stored (Storage::size)
  std::uint64_t hints = 0;  // kept for unreachable owners (Storage::hint_count)
  std::uint64_t ring_epoch = 0;
  std::uint64_t members = 0;
  std::uint64_t partitions_to_fetch = 0;  // for the membership change under way
  std::uint64_t writes_in_flight = 0;     // sent and not yet acknowledged (NodeCore)
  std::uint64_t pending = 0;              // requests of every kind in flight
  std::vector<PeerMetrics> peers;         // every other member of the ring
  std::chrono::milliseconds at{0};
};

struct NodeMetrics {
  std::string node;
  OperationMetrics requests;     // the host's own gets, puts and removes through this Node
  OperationMetrics coordinated;  // those this node coordinated, for its host, clients or peers
  std::uint64_t forwarded = 0;   // requests sent on to a home replica of their key
  std::uint64_t hints_stored = 0;     // writes kept as hints for an unreachable home replica
  std::uint64_t hints_delivered = 0;  // hints their owner acknowledged
  std::uint64_t read_repairs = 0;     // replicas sent the newer versions a read found
  std::uint64_t anti_entropy_exchanges = 0;
  std::uint64_t anti_entropy_keys_sent = 0;
  std::uint64_t anti_entropy_keys_repaired = 0;  // keys changed here by an exchange
  std::uint64_t transfer_keys_fetched = 0;      // received for partitions a change added
  std::uint64_t transfer_keys_dropped = 0;      // dropped once a new replica had fetched them
  std::uint64_t transfer_keys_handed_off = 0;   // written to their new replicas one by one
  std::uint64_t malformed_frames = 0;
  std::uint64_t unmatched_replies = 0;
  NodeGauges gauges;

  // Coordinated gets, puts and removes that ended without their quorum.
  std::uint64_t quorum_failures() const;
};

// Written by the node's executor only; snapshot() from any thread.
class NodeMetricsRecorder {
 public:
  OperationRecorder requests;
  OperationRecorder coordinated;
  Counter forwarded, hints_stored, hints_delivered, read_repairs;
  Counter anti_entropy_exchanges, anti_entropy_keys_sent, anti_entropy_keys_repaired;
  Counter transfer_keys_fetched, transfer_keys_dropped, transfer_keys_handed_off;
  Counter malformed_frames, unmatched_replies;
  Published<NodeGauges> gauges;

  NodeMetrics snapshot(std::string node) const;
};

}  // namespace dynamo::metrics
