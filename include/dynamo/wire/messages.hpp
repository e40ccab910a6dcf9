#pragma once
// The messages dynamo nodes and clients exchange, as plain regular structs. frame.hpp turns them
// into bytes and back; the protocol core decides what to do with them.
//
// Every request carries a request_id chosen by its sender and echoed by the reply, so replies
// can arrive in any order. r and w of zero mean "the node's configured default"; strict asks for
// a strict quorum (only the key's home replicas count), refusing the sloppy quorum's fallbacks.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "dynamo/core/bytes.hpp"
#include "dynamo/core/siblings.hpp"
#include "dynamo/errc.hpp"
#include "dynamo/membership/member_status.hpp"
#include "dynamo/membership/ring_state.hpp"
#include "dynamo/ring/member.hpp"
#include "dynamo/ring/ring_params.hpp"

namespace dynamo::wire {

// The frame's type byte. The numbers travel on the wire: never renumber, only add.
// 0x01-0x0F connection and administration, 0x10-0x1F client requests, 0x20-0x3F replica traffic
// (0x28-0x29 range transfer), 0x40-0x4F gossip membership, 0x50-0x5F Merkle anti-entropy.
enum class MessageType : std::uint8_t {
  hello = 0x01,
  error = 0x02,
  ring_request = 0x03,
  ring_reply = 0x04,
  client_get = 0x10,
  client_get_reply = 0x11,
  client_put = 0x12,
  client_remove = 0x13,
  client_write_reply = 0x14,
  replica_read = 0x20,
  replica_read_reply = 0x21,
  replica_write = 0x22,
  hinted_write = 0x23,
  replica_write_ack = 0x24,
  tombstone_check = 0x25,
  tombstone_check_reply = 0x26,
  purge = 0x27,
  status_request = 0x05,
  status_reply = 0x06,
  membership_change = 0x07,
  membership_change_reply = 0x08,
  partition_fetch = 0x28,
  partition_chunk = 0x29,
  gossip = 0x40,
  gossip_reply = 0x41,
  tree_compare = 0x50,
  tree_compare_reply = 0x51,
  leaf_sync = 0x52,
  leaf_sync_reply = 0x53,
};

// The outcome a reply reports. A quorum failure says how far it got: "replied 2 of required 3".
struct Status {
  std::uint32_t code = 0;  // 0 for success, else a dynamo::errc value
  std::uint32_t replied = 0;
  std::uint32_t required = 0;

  bool ok() const { return code == 0; }
  friend bool operator==(const Status&, const Status&) = default;
};

// The first message each side of a connection sends. Peers that disagree on the ring's hash,
// its partition count or the conflict resolver would place or merge keys differently, so they
// refuse to talk (errc::incompatible_peer).
struct Hello {
  static constexpr MessageType type = MessageType::hello;
  std::uint8_t protocol_version = 0;
  std::string cluster;
  std::string node_name;
  // Decoded as sent, unknown hash kinds included, so the handshake can answer with
  // ring::check_compatible (errc::incompatible_peer) rather than a malformed frame.
  ring::RingParams ring;
  std::string resolver_name;
  // Changes whenever the sender restarts (a node sends its actor id).
  std::uint64_t incarnation = 0;
  // Set while the sender has not yet accepted the receiver: asks for the receiver's Hello, so
  // a lost Hello is made good the next time the two exchange anything.
  bool reply_requested = false;
  friend bool operator==(const Hello&, const Hello&) = default;
};

// A request that failed before it could produce its normal reply (unknown message, bad frame).
struct Error {
  static constexpr MessageType type = MessageType::error;
  std::uint64_t request_id = 0;
  std::uint32_t code = 0;  // a dynamo::errc value
  std::string message;
  friend bool operator==(const Error&, const Error&) = default;
};

// A client asks a node for the ring, so a partition-aware client can learn the placement and
// send each request straight to a home replica of its key instead of through a forwarder.
struct RingRequest {
  static constexpr MessageType type = MessageType::ring_request;
  std::uint64_t request_id = 0;
  friend bool operator==(const RingRequest&, const RingRequest&) = default;
};

// Where a member listens, as the ring document records it (membership/ring_state.hpp).
using MemberAddress = membership::MemberAddress;

// The cluster's ring as one versioned document: the shared parameters, the replication factor N,
// the members with the partitions each owns now, and, while a membership change is under way,
// the layout it moves to. Answers a RingRequest; nodes also push it to each other unasked
// (request_id 0) when gossip shows a peer holding an older epoch, and keep it in their storage.
// Decoding only bounds the sizes (Limits::max_members members and addresses,
// ring::RingParams::max_partitions partitions per member); whether the layouts form valid rings
// is for membership::RingView to decide.
struct RingReply {
  static constexpr MessageType type = MessageType::ring_reply;
  std::uint64_t request_id = 0;
  ring::RingParams ring;
  std::uint32_t replicas = 0;
  std::vector<ring::Member> members;  // the layout reads and writes use now
  std::uint64_t epoch = 0;            // grows with every change of the document; 0: no ring yet
  std::vector<ring::Member> next;     // the layout a membership change moves to; empty when none
  std::vector<MemberAddress> addresses;
  // The R the answering node uses when a request leaves it at 0, so a client that coordinates
  // its reads applies the cluster's default; 0 in documents nodes push to each other.
  std::uint8_t read_quorum = 0;
  friend bool operator==(const RingReply&, const RingReply&) = default;
};

// An operator's request to admit a node to the ring (join) or hand off its data and remove it
// (leave). Any node accepts it and passes it to the ring's claimant, the one node that changes
// the ring, so two changes never race. `address`, `zone` and `weight` matter for a join only.
using ChangeKind = membership::ChangeKind;

struct MembershipChange {
  static constexpr MessageType type = MessageType::membership_change;
  std::uint64_t request_id = 0;
  ChangeKind kind = ChangeKind::join;
  std::string name;
  std::string address;
  std::string zone;
  std::uint32_t weight = 1;
  friend bool operator==(const MembershipChange&, const MembershipChange&) = default;
};

// The claimant's answer: the ring epoch that carries the change (on success) and a sentence for
// the operator, such as "d joins: it takes 256 of 1024 partitions" or why the change is refused.
struct MembershipChangeReply {
  static constexpr MessageType type = MessageType::membership_change_reply;
  std::uint64_t request_id = 0;
  Status status;
  std::uint64_t epoch = 0;
  std::string detail;
  friend bool operator==(const MembershipChangeReply&, const MembershipChangeReply&) = default;
};

struct ClientGet {
  static constexpr MessageType type = MessageType::client_get;
  std::uint64_t request_id = 0;
  Key key;
  std::uint8_t r = 0;
  bool strict = false;
  friend bool operator==(const ClientGet&, const ClientGet&) = default;
};

struct ClientGetReply {
  static constexpr MessageType type = MessageType::client_get_reply;
  std::uint64_t request_id = 0;
  Status status;
  Siblings siblings;
  friend bool operator==(const ClientGetReply&, const ClientGetReply&) = default;
};

struct ClientPut {
  static constexpr MessageType type = MessageType::client_put;
  std::uint64_t request_id = 0;
  Key key;
  std::string context;  // Context::encode() bytes; opaque at this layer
  Value value;
  std::uint8_t w = 0;
  bool strict = false;
  friend bool operator==(const ClientPut&, const ClientPut&) = default;
};

struct ClientRemove {
  static constexpr MessageType type = MessageType::client_remove;
  std::uint64_t request_id = 0;
  Key key;
  std::string context;  // Context::encode() bytes; opaque at this layer
  std::uint8_t w = 0;
  bool strict = false;
  friend bool operator==(const ClientRemove&, const ClientRemove&) = default;
};

// Answers a ClientPut or ClientRemove.
struct ClientWriteReply {
  static constexpr MessageType type = MessageType::client_write_reply;
  std::uint64_t request_id = 0;
  Status status;
  // The coordinator's sibling set with the new version in it (empty on failure): the client
  // sees what its next write with their context would supersede, as Riak's return_body does.
  Siblings siblings;
  friend bool operator==(const ClientWriteReply&, const ClientWriteReply&) = default;
};

// A replica's copy of a key, asked by a coordinating node or by a client that coordinates the
// read itself. A client sends the epoch of the ring it planned with: a replica holding another
// epoch answers errc::ring_changing rather than a copy the client's ring no longer places here
// (a node that handed a key off may already have dropped it). Nodes send 0: they plan with
// their own ring.
struct ReplicaRead {
  static constexpr MessageType type = MessageType::replica_read;
  std::uint64_t request_id = 0;
  Key key;
  std::uint64_t epoch = 0;
  friend bool operator==(const ReplicaRead&, const ReplicaRead&) = default;
};

struct ReplicaReadReply {
  static constexpr MessageType type = MessageType::replica_read_reply;
  std::uint64_t request_id = 0;
  Status status;
  Siblings siblings;
  friend bool operator==(const ReplicaReadReply&, const ReplicaReadReply&) = default;
};

// The replica merges `siblings` into what it stores for `key` (writes and read repair).
struct ReplicaWrite {
  static constexpr MessageType type = MessageType::replica_write;
  std::uint64_t request_id = 0;
  Key key;
  Siblings siblings;
  friend bool operator==(const ReplicaWrite&, const ReplicaWrite&) = default;
};

// A ReplicaWrite sent to a fallback node while `intended_owner` is unreachable; the fallback
// keeps it as a hint and hands it to the owner when it returns (sloppy quorum).
struct HintedWrite {
  static constexpr MessageType type = MessageType::hinted_write;
  std::uint64_t request_id = 0;
  Key key;
  std::string intended_owner;  // the owner's node name
  Siblings siblings;
  friend bool operator==(const HintedWrite&, const HintedWrite&) = default;
};

// Answers a ReplicaWrite or HintedWrite.
struct ReplicaWriteAck {
  static constexpr MessageType type = MessageType::replica_write_ack;
  std::uint64_t request_id = 0;
  Status status;
  friend bool operator==(const ReplicaWriteAck&, const ReplicaWriteAck&) = default;
};

// Before collecting a tombstone, the key's first home replica asks every member whether it holds
// exactly that tombstone for `key` and no hint for it; a member that still holds an older version
// or a hint would otherwise bring the deleted value back once the tombstone is gone.
struct TombstoneCheck {
  static constexpr MessageType type = MessageType::tombstone_check;
  std::uint64_t request_id = 0;
  Key key;
  friend bool operator==(const TombstoneCheck&, const TombstoneCheck&) = default;
};

// Answers a TombstoneCheck: what the member stores for the key (empty if nothing) and whether it
// holds a hint for the key on behalf of another node.
struct TombstoneCheckReply {
  static constexpr MessageType type = MessageType::tombstone_check_reply;
  std::uint64_t request_id = 0;
  Siblings siblings;
  bool hinted = false;
  friend bool operator==(const TombstoneCheckReply&, const TombstoneCheckReply&) = default;
};

// Sent after every member answered a TombstoneCheck favourably: the key's home replicas drop the
// key if what they hold still equals `expected`, so a write that arrived in between survives.
// Purge has no reply: a replica that misses it keeps the tombstone until a later check.
struct Purge {
  static constexpr MessageType type = MessageType::purge;
  std::uint64_t request_id = 0;
  Key key;
  Siblings expected;
  friend bool operator==(const Purge&, const Purge&) = default;
};

// An operator's question to one node: how are you and your peers? (dynamo-cli status)
struct StatusRequest {
  static constexpr MessageType type = MessageType::status_request;
  std::uint64_t request_id = 0;
  bool with_metrics = false;  // dynamo-cli stats: the reply carries the node's metrics too
  friend bool operator==(const StatusRequest&, const StatusRequest&) = default;
};

// One peer as the answering node sees it.
struct PeerState {
  std::string name;
  std::string state;  // "up", "suspected", "down" or "refused"
  friend bool operator==(const PeerState&, const PeerState&) = default;
};

struct StatusReply {
  static constexpr MessageType type = MessageType::status_reply;
  std::uint64_t request_id = 0;
  std::string node;
  std::uint64_t keys = 0;
  std::uint64_t hints = 0;   // hints this node keeps for others
  std::uint64_t digest = 0;  // of every key and sibling set held: equal data, equal digest
  std::vector<PeerState> peers;
  std::uint64_t ring_epoch = 0;
  std::string member_state;        // "normal", "joining", "leaving" or "outside" the ring
  std::uint32_t fetches_left = 0;  // partitions this node must still fetch for a change
  std::uint64_t misplaced = 0;     // keys held for partitions this node no longer replicates
  // Writes this node sent and waits to hear back on: coordinated writes whose replicas have not
  // all answered (W may be met already), hint deliveries and relocations. With hints and
  // misplaced at 0 too, no copy this node is responsible for is still on its way.
  std::uint32_t writes_in_flight = 0;
  // When asked: the node's metrics in Prometheus' text format (metrics/prometheus.hpp), as
  // dynamo-peer --metrics-listen serves them; bounded by Limits::max_value.
  std::string metrics;
  friend bool operator==(const StatusReply&, const StatusReply&) = default;
};

// One member's state as gossip spreads it (membership/member_status.hpp), carried as it is.
using MemberHeartbeat = membership::MemberHeartbeat;

// Push-pull gossip: a node sends what it knows of every member to one peer each period; the peer
// takes what is newer and answers with whatever it knows newer than what it was sent.
struct Gossip {
  static constexpr MessageType type = MessageType::gossip;
  std::vector<MemberHeartbeat> members;
  friend bool operator==(const Gossip&, const Gossip&) = default;
};

struct GossipReply {
  static constexpr MessageType type = MessageType::gossip_reply;
  std::vector<MemberHeartbeat> members;
  friend bool operator==(const GossipReply&, const GossipReply&) = default;
};

// One node of a Merkle tree: its index within its level, and its hash.
struct TreeNodeHash {
  std::uint32_t index = 0;
  std::uint64_t hash = 0;
  friend bool operator==(const TreeNodeHash&, const TreeNodeHash&) = default;
};

// Anti-entropy between two replicas of a partition compares their Merkle trees top-down. The
// initiator sends its hashes of some nodes at `level`; the other replica answers with its hashes
// of the children of every node that differs (at level + 1). An empty answer means the trees
// agree below what was asked.
struct TreeCompare {
  static constexpr MessageType type = MessageType::tree_compare;
  std::uint64_t request_id = 0;
  std::uint32_t partition = 0;
  std::uint8_t level = 0;
  std::vector<TreeNodeHash> nodes;
  friend bool operator==(const TreeCompare&, const TreeCompare&) = default;
};

struct TreeCompareReply {
  static constexpr MessageType type = MessageType::tree_compare_reply;
  std::uint64_t request_id = 0;
  std::uint8_t level = 0;
  std::vector<TreeNodeHash> nodes;
  friend bool operator==(const TreeCompareReply&, const TreeCompareReply&) = default;
};

// A key and its sibling set, as anti-entropy exchanges them.
struct KeyVersions {
  Key key;
  Siblings siblings;
  friend bool operator==(const KeyVersions&, const KeyVersions&) = default;
};

// Once the differing leaves are known, the initiator sends every key it holds under them; the
// other replica merges them and answers with the keys under those leaves where what it held
// differed from what it was sent, which the initiator merges in turn.
struct LeafSync {
  static constexpr MessageType type = MessageType::leaf_sync;
  std::uint64_t request_id = 0;
  std::uint32_t partition = 0;
  std::vector<std::uint32_t> leaves;
  std::vector<KeyVersions> entries;
  friend bool operator==(const LeafSync&, const LeafSync&) = default;
};

struct LeafSyncReply {
  static constexpr MessageType type = MessageType::leaf_sync_reply;
  std::uint64_t request_id = 0;
  std::vector<KeyVersions> entries;
  friend bool operator==(const LeafSyncReply&, const LeafSyncReply&) = default;
};

// Range transfer during a membership change: a node that becomes a replica of a partition asks
// one of its current replicas for the partition's keys, slice by slice (a partition is cut into
// transfer_slices equal slices of ring positions). The source answers with whole slices from
// `slice` on, stopping once it has about max_keys keys or max_bytes bytes; the requester merges
// them, makes them durable and asks for next_slice. A request for slice == transfer_slices
// carries no data: it tells the source the whole partition arrived.
inline constexpr std::uint32_t transfer_slices = 256;

struct PartitionFetch {
  static constexpr MessageType type = MessageType::partition_fetch;
  std::uint64_t request_id = 0;
  std::uint32_t partition = 0;
  std::uint32_t slice = 0;
  std::uint32_t max_keys = 0;
  std::uint32_t max_bytes = 0;
  friend bool operator==(const PartitionFetch&, const PartitionFetch&) = default;
};

struct PartitionChunk {
  static constexpr MessageType type = MessageType::partition_chunk;
  std::uint64_t request_id = 0;
  std::uint32_t partition = 0;
  std::uint32_t next_slice = 0;  // transfer_slices when the partition is complete
  std::vector<KeyVersions> entries;
  friend bool operator==(const PartitionChunk&, const PartitionChunk&) = default;
};

using Message = std::variant<Hello, Error, RingRequest, RingReply, ClientGet, ClientGetReply,
                             ClientPut, ClientRemove, ClientWriteReply, ReplicaRead,
                             ReplicaReadReply, ReplicaWrite, HintedWrite, ReplicaWriteAck,
                             TombstoneCheck, TombstoneCheckReply, Purge, StatusRequest,
                             StatusReply, Gossip, GossipReply, TreeCompare, TreeCompareReply,
                             LeafSync, LeafSyncReply, MembershipChange, MembershipChangeReply,
                             PartitionFetch, PartitionChunk>;

// A reply's status as an error code in dynamo's category (success when code is 0), and back.
// Success is the empty error_code, as everywhere (`ec == std::error_code{}` holds).
inline std::error_code to_error_code(const Status& s) {
  if (s.code == 0) return {};
  return {static_cast<int>(s.code), dynamo_category()};
}
inline Status to_status(std::error_code ec, std::uint32_t replied, std::uint32_t required) {
  return {static_cast<std::uint32_t>(ec.value()), replied, required};
}

// Where a sender's request ids start: a random point in the lower half of the id space, never
// 0, so that an answer meant for an earlier incarnation of the sender (a node that restarted, a
// client made anew) cannot match a request of this one by its id, and ids never wrap.
inline std::uint64_t first_request_id(std::uint64_t random) { return (random >> 1) | 1; }

// Stamps a request with its sender's id; messages without one are left alone.
inline void set_request_id(Message& m, std::uint64_t id) {
  std::visit([id](auto& alt) {
    if constexpr (requires { alt.request_id; }) alt.request_id = id;
  }, m);
}

inline MessageType message_type(const Message& m) {
  return std::visit([](const auto& alt) { return std::decay_t<decltype(alt)>::type; }, m);
}

// The type of the message that answers a request of type `request`, or nullopt for a message
// that gets no answer (or is an answer itself). A reply is taken only by a request in flight
// with its id, sent to the node it comes from, and of the type this names.
constexpr std::optional<MessageType> reply_type_of(MessageType request) {
  switch (request) {
    case MessageType::ring_request: return MessageType::ring_reply;
    case MessageType::client_get: return MessageType::client_get_reply;
    case MessageType::client_put:
    case MessageType::client_remove: return MessageType::client_write_reply;
    case MessageType::replica_read: return MessageType::replica_read_reply;
    case MessageType::replica_write:
    case MessageType::hinted_write: return MessageType::replica_write_ack;
    case MessageType::tombstone_check: return MessageType::tombstone_check_reply;
    case MessageType::status_request: return MessageType::status_reply;
    case MessageType::membership_change: return MessageType::membership_change_reply;
    case MessageType::partition_fetch: return MessageType::partition_chunk;
    case MessageType::gossip: return MessageType::gossip_reply;
    case MessageType::tree_compare: return MessageType::tree_compare_reply;
    case MessageType::leaf_sync: return MessageType::leaf_sync_reply;
    default: return std::nullopt;
  }
}

// Readable forms for logs and test failures; long byte strings are shortened.
std::ostream& operator<<(std::ostream& os, MessageType t);
std::ostream& operator<<(std::ostream& os, const Status& s);
std::ostream& operator<<(std::ostream& os, const Hello& m);
std::ostream& operator<<(std::ostream& os, const Error& m);
std::ostream& operator<<(std::ostream& os, const RingRequest& m);
std::ostream& operator<<(std::ostream& os, const RingReply& m);
std::ostream& operator<<(std::ostream& os, const ClientGet& m);
std::ostream& operator<<(std::ostream& os, const ClientGetReply& m);
std::ostream& operator<<(std::ostream& os, const ClientPut& m);
std::ostream& operator<<(std::ostream& os, const ClientRemove& m);
std::ostream& operator<<(std::ostream& os, const ClientWriteReply& m);
std::ostream& operator<<(std::ostream& os, const ReplicaRead& m);
std::ostream& operator<<(std::ostream& os, const ReplicaReadReply& m);
std::ostream& operator<<(std::ostream& os, const ReplicaWrite& m);
std::ostream& operator<<(std::ostream& os, const HintedWrite& m);
std::ostream& operator<<(std::ostream& os, const ReplicaWriteAck& m);
std::ostream& operator<<(std::ostream& os, const TombstoneCheck& m);
std::ostream& operator<<(std::ostream& os, const TombstoneCheckReply& m);
std::ostream& operator<<(std::ostream& os, const Purge& m);
std::ostream& operator<<(std::ostream& os, const StatusRequest& m);
std::ostream& operator<<(std::ostream& os, const StatusReply& m);
std::ostream& operator<<(std::ostream& os, const Gossip& m);
std::ostream& operator<<(std::ostream& os, const GossipReply& m);
std::ostream& operator<<(std::ostream& os, const TreeCompare& m);
std::ostream& operator<<(std::ostream& os, const TreeCompareReply& m);
std::ostream& operator<<(std::ostream& os, const LeafSync& m);
std::ostream& operator<<(std::ostream& os, const LeafSyncReply& m);
std::ostream& operator<<(std::ostream& os, const MembershipChange& m);
std::ostream& operator<<(std::ostream& os, const MembershipChangeReply& m);
std::ostream& operator<<(std::ostream& os, const PartitionFetch& m);
std::ostream& operator<<(std::ostream& os, const PartitionChunk& m);
std::ostream& operator<<(std::ostream& os, const PeerState& m);
std::ostream& operator<<(std::ostream& os, const Message& m);

}  // namespace dynamo::wire
