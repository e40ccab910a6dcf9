#pragma once
// The wire layout of every message, written once. fields(codec, message) names each field in
// encoding order with its kind and, for byte strings, which limit bounds it; the encoder, size
// counter, decoder, limit checker and printer (field_codecs.hpp, message_print.cpp) all walk
// this one list, so they cannot disagree about a message's layout.
//
// A codec provides u8, byte_enum (an enum of one byte), u32, u64, flag, bytes(name, field,
// Bound), siblings(name, set), nested(name, struct), the last walking the struct's own fields(),
// and list(name, vector, Count), a count then each element through element() below. `M` is the
// message, const when the codec only reads it.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "dynamo/errc.hpp"
#include "dynamo/ring/member.hpp"
#include "dynamo/ring/ring_params.hpp"
#include "dynamo/wire/limits.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo::wire::schema {

// Which Limits field bounds a byte string.
enum class Bound { key, value, context, name };

inline std::size_t limit_of(const Limits& limits, Bound bound) {
  switch (bound) {
    case Bound::key: return limits.max_key;
    case Bound::value: return limits.max_value;
    case Bound::context: return limits.max_context;
    case Bound::name: return limits.max_name;
  }
  return 0;
}

// Which bound limits a list's length, and what a longer list is: a count over a Limits field is
// too_large like any other; a count over a bound the protocol itself fixes is malformed_frame,
// like a u32 field holding 2^32.
enum class Count { members, partitions, tree_nodes, entries };

// Most tree nodes or leaves one anti-entropy message names: a whole level of the widest tree.
inline constexpr std::size_t max_tree_nodes = std::size_t{1} << 16;

struct CountLimit {
  std::size_t max = 0;
  errc over = errc::too_large;
};

inline CountLimit count_limit(const Limits& limits, Count count) {
  switch (count) {
    case Count::members: return {limits.max_members, errc::too_large};
    case Count::partitions: return {ring::RingParams::max_partitions, errc::malformed_frame};
    case Count::tree_nodes: return {max_tree_nodes, errc::malformed_frame};
    case Count::entries: return {limits.max_sync_entries, errc::too_large};
  }
  return {};
}

// One element of a list: a u32 as a u32 field, a struct through its own fields().
template <class C, class T>
void element(C& c, T& e) {
  if constexpr (std::same_as<std::remove_const_t<T>, std::uint32_t>) {
    c.u32("", e);
  } else {
    fields(c, e);
  }
}

template <class M, class T>
concept maybe_const = std::same_as<std::remove_const_t<M>, T>;

template <class C, maybe_const<Status> M>
void fields(C& c, M& m) {
  c.u32("code", m.code);
  c.u32("replied", m.replied);
  c.u32("required", m.required);
}

template <class C, maybe_const<ring::RingParams> M>
void fields(C& c, M& m) {
  c.byte_enum("hash", m.hash);
  c.u32("partitions", m.partitions);
}

template <class C, maybe_const<ring::Member> M>
void fields(C& c, M& m) {
  c.bytes("name", m.name, Bound::name);
  c.bytes("zone", m.zone, Bound::name);
  c.u32("weight", m.weight);
  c.list("partitions", m.partitions, Count::partitions);
}

template <class C, maybe_const<PeerState> M>
void fields(C& c, M& m) {
  c.bytes("name", m.name, Bound::name);
  c.bytes("state", m.state, Bound::name);
}

template <class C, maybe_const<StatusRequest> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.flag("with_metrics", m.with_metrics);
}

template <class C, maybe_const<StatusReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("node", m.node, Bound::name);
  c.u64("keys", m.keys);
  c.u64("hints", m.hints);
  c.u64("digest", m.digest);
  c.list("peers", m.peers, Count::members);
  c.u64("ring_epoch", m.ring_epoch);
  c.bytes("member_state", m.member_state, Bound::name);
  c.u32("fetches_left", m.fetches_left);
  c.u64("misplaced", m.misplaced);
  c.u32("writes_in_flight", m.writes_in_flight);
  c.bytes("metrics", m.metrics, Bound::value);
}

template <class C, maybe_const<Hello> M>
void fields(C& c, M& m) {
  c.u8("protocol_version", m.protocol_version);
  c.bytes("cluster", m.cluster, Bound::name);
  c.bytes("node_name", m.node_name, Bound::name);
  c.nested("ring", m.ring);
  c.bytes("resolver_name", m.resolver_name, Bound::name);
  c.u64("incarnation", m.incarnation);
  c.flag("reply_requested", m.reply_requested);
}

template <class C, maybe_const<Error> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.u32("code", m.code);
  c.bytes("message", m.message, Bound::name);
}

template <class C, maybe_const<RingRequest> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
}

template <class C, maybe_const<MemberAddress> M>
void fields(C& c, M& m) {
  c.bytes("name", m.name, Bound::name);
  c.bytes("address", m.address, Bound::name);
}

template <class C, maybe_const<RingReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.nested("ring", m.ring);
  c.u32("replicas", m.replicas);
  c.list("members", m.members, Count::members);
  c.u64("epoch", m.epoch);
  c.list("next", m.next, Count::members);
  c.list("addresses", m.addresses, Count::members);
  c.u8("read_quorum", m.read_quorum);
}

template <class C, maybe_const<MembershipChange> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.byte_enum("kind", m.kind);
  c.bytes("name", m.name, Bound::name);
  c.bytes("address", m.address, Bound::name);
  c.bytes("zone", m.zone, Bound::name);
  c.u32("weight", m.weight);
}

template <class C, maybe_const<MembershipChangeReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.nested("status", m.status);
  c.u64("epoch", m.epoch);
  c.bytes("detail", m.detail, Bound::name);
}

template <class C, maybe_const<ClientGet> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
  c.u8("r", m.r);
  c.flag("strict", m.strict);
}

template <class C, maybe_const<ClientGetReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.nested("status", m.status);
  c.siblings("siblings", m.siblings);
}

template <class C, maybe_const<ClientPut> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
  c.bytes("context", m.context, Bound::context);
  c.bytes("value", m.value, Bound::value);
  c.u8("w", m.w);
  c.flag("strict", m.strict);
}

template <class C, maybe_const<ClientRemove> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
  c.bytes("context", m.context, Bound::context);
  c.u8("w", m.w);
  c.flag("strict", m.strict);
}

template <class C, maybe_const<ClientWriteReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.nested("status", m.status);
  c.siblings("siblings", m.siblings);
}

template <class C, maybe_const<ReplicaRead> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
  c.u64("epoch", m.epoch);
}

template <class C, maybe_const<ReplicaReadReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.nested("status", m.status);
  c.siblings("siblings", m.siblings);
}

template <class C, maybe_const<ReplicaWrite> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
  c.siblings("siblings", m.siblings);
}

template <class C, maybe_const<HintedWrite> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
  c.bytes("intended_owner", m.intended_owner, Bound::name);
  c.siblings("siblings", m.siblings);
}

template <class C, maybe_const<ReplicaWriteAck> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.nested("status", m.status);
}

template <class C, maybe_const<TombstoneCheck> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
}

template <class C, maybe_const<TombstoneCheckReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.siblings("siblings", m.siblings);
  c.flag("hinted", m.hinted);
}

template <class C, maybe_const<Purge> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.bytes("key", m.key, Bound::key);
  c.siblings("expected", m.expected);
}

template <class C, maybe_const<MemberHeartbeat> M>
void fields(C& c, M& m) {
  c.bytes("name", m.name, Bound::name);
  c.u64("generation", m.generation);
  c.u64("version", m.version);
  c.u8("status", m.status);
  c.u64("ring_epoch", m.ring_epoch);
  c.u64("fetched_epoch", m.fetched_epoch);
}

template <class C, maybe_const<Gossip> M>
void fields(C& c, M& m) {
  c.list("members", m.members, Count::members);
}

template <class C, maybe_const<GossipReply> M>
void fields(C& c, M& m) {
  c.list("members", m.members, Count::members);
}

template <class C, maybe_const<TreeNodeHash> M>
void fields(C& c, M& m) {
  c.u32("index", m.index);
  c.u64("hash", m.hash);
}

template <class C, maybe_const<TreeCompare> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.u32("partition", m.partition);
  c.u8("level", m.level);
  c.list("nodes", m.nodes, Count::tree_nodes);
}

template <class C, maybe_const<TreeCompareReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.u8("level", m.level);
  c.list("nodes", m.nodes, Count::tree_nodes);
}

template <class C, maybe_const<KeyVersions> M>
void fields(C& c, M& m) {
  c.bytes("key", m.key, Bound::key);
  c.siblings("siblings", m.siblings);
}

template <class C, maybe_const<LeafSync> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.u32("partition", m.partition);
  c.list("leaves", m.leaves, Count::tree_nodes);
  c.list("entries", m.entries, Count::entries);
}

template <class C, maybe_const<LeafSyncReply> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.list("entries", m.entries, Count::entries);
}

template <class C, maybe_const<PartitionFetch> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.u32("partition", m.partition);
  c.u32("slice", m.slice);
  c.u32("max_keys", m.max_keys);
  c.u32("max_bytes", m.max_bytes);
}

template <class C, maybe_const<PartitionChunk> M>
void fields(C& c, M& m) {
  c.u64("request_id", m.request_id);
  c.u32("partition", m.partition);
  c.u32("next_slice", m.next_slice);
  c.list("entries", m.entries, Count::entries);
}

}  // namespace dynamo::wire::schema
