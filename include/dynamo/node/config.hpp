#pragma once
// Config: what a node needs to know at start-up. validate() turns configuration mistakes into
// exceptions with a message that names the field, before any traffic flows.

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <string>
#include <vector>

#include "dynamo/core/vector_clock.hpp"
#include "dynamo/log_record.hpp"
#include "dynamo/ring/ring_params.hpp"
#include "dynamo/wire/limits.hpp"

namespace dynamo {

using std::chrono::milliseconds;

// One founding member of the cluster. Every founder is given the same list and derives from it
// the same ring of epoch 1; from then on the ring changes only by joins and leaves, and a node
// keeps the newest ring it knows in its storage, which wins over this list on a restart.
struct MemberConfig {
  std::string name;
  std::string zone;
  std::uint32_t weight = 1;
  std::string address;  // where it listens, for transports that dial by address ("" if none)
};

struct Config {
  std::string cluster = "dynamo";  // peers of another cluster are refused
  std::string name;                // this node
  // The founding members (the ring of epoch 1). A node that is not among them starts outside the
  // ring and is admitted later by a join (Node::async_join, Client::async_join, dynamo-cli join).
  std::vector<MemberConfig> members;
  // Nodes to gossip with besides the ring's members; a node outside the founding members that
  // has no ring in its storage needs at least one to find its cluster.
  std::vector<std::string> seeds;
  // How this node describes itself when it asks to join (Node::async_join).
  std::string address;
  std::string zone;
  std::uint32_t weight = 1;
  ring::RingParams ring;

  std::uint32_t n = 3;  // replicas per key
  std::uint32_t r = 2;  // replies a get waits for
  std::uint32_t w = 2;  // acknowledgements a put or remove waits for

  milliseconds request_timeout{1000};     // a coordinator's deadline for R or W replies
  milliseconds forward_timeout{2000};     // deadline for a request forwarded to a coordinator
  milliseconds suspect_period{2000};      // a peer that timed out is skipped this long
  milliseconds hint_replay_interval{500}; // how often hints are offered to their owners
  std::uint32_t hint_replay_batch = 64;   // hints in flight at once
  milliseconds tombstone_grace{std::chrono::hours(24)};  // a tombstone lives at least this long
  milliseconds tombstone_sweep_interval{std::chrono::minutes(1)};
  std::uint32_t tombstone_sweep_batch = 64;  // keys checked per sweep
  // How often a MaintainedStorage (LogStorage) gets a step of background work (compaction), and
  // how soon the next step follows while work remains: together they bound its rate.
  milliseconds storage_maintenance_interval{1000};
  milliseconds storage_maintenance_step{20};

  // Gossip and failure detection (the paper's section 4.8): every gossip_interval the node sends
  // its view of every member's heartbeat to one random member (push-pull). A member whose
  // heartbeats stop is marked down, and skipped by coordinators like a suspected one, once the
  // phi-accrual suspicion passes phi_threshold; it is up again as soon as it is heard from.
  milliseconds gossip_interval{1000};
  double phi_threshold = 8.0;
  milliseconds phi_acceptable_pause{1000};  // a heartbeat this late is not yet suspicious

  // Anti-entropy (section 4.7): every anti_entropy_interval the node compares the Merkle tree of
  // the next partition it replicates with another replica's and exchanges the keys that differ,
  // at most anti_entropy_max_keys per message, with at most anti_entropy_exchanges exchanges in
  // flight: together they bound what it takes from the foreground. A full sweep of the Q
  // partitions takes about Q / exchanges * (interval + a round trip).
  bool anti_entropy = true;
  milliseconds anti_entropy_interval{200};
  std::uint32_t anti_entropy_exchanges = 1;
  unsigned merkle_depth = 2;  // 16^depth leaves per partition
  std::uint32_t anti_entropy_max_keys = 1024;

  // Range transfer during a membership change: a node that becomes a replica of a partition
  // fetches it from the replica it replaces, transfer_concurrency partitions at a time, in
  // chunks of about transfer_batch_keys keys or transfer_batch_bytes bytes, pausing
  // transfer_interval between a partition's chunks: together they bound the transfer's rate.
  // A node handing off keys one by one (those changed after they were fetched from it) keeps at
  // most transfer_batch_keys of them in flight.
  std::uint32_t transfer_concurrency = 2;
  std::uint32_t transfer_batch_keys = 512;
  std::uint32_t transfer_batch_bytes = 1u << 20;
  milliseconds transfer_interval{10};
  // How often the node advances a membership change: starts the fetches it owes, checks whether
  // the change is complete, and hands off keys it no longer replicates.
  milliseconds transfer_check_interval{500};

  // Hinted handoff can be switched off, leaving anti-entropy alone to repair replicas: hints are
  // still kept (a sloppy quorum's fallback writes count), but never offered to their owners.
  bool hinted_handoff = true;

  std::size_t max_clock_entries = VectorClock::default_max_entries;
  wire::Limits limits;

  // Receives a record of each notable event (peer down, frame dropped, hints delivered), with
  // its level and fields (log_record.hpp); dynamo::log_lines() turns them into plain lines.
  LogSink log;
};

// Throws std::invalid_argument naming the first mistake: an empty node name, duplicate
// members, neither founding members nor seeds, N larger than the founding cluster, R or W
// outside 1..N, non-positive timeouts, a clock bound below 2 or above what the wire accepts,
// invalid ring parameters, a non-positive phi threshold, a Merkle depth outside 1..4, or a
// transfer setting of 0.
void validate(const Config& config);

}  // namespace dynamo
