#pragma once
// Random well-formed messages for property tests and the fuzzers' seed corpus. Everything comes
// from one seeded engine, so a failing case replays from its seed.

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "dynamo/ring/member.hpp"
#include "dynamo/wire/frame.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo::wire::testing {

// Every defined message type, for tests that must cover each one.
inline constexpr MessageType all_message_types[] = {
    MessageType::hello,
    MessageType::error,
    MessageType::ring_request,
    MessageType::ring_reply,
    MessageType::client_get,
    MessageType::client_get_reply,
    MessageType::client_put,
    MessageType::client_remove,
    MessageType::client_write_reply,
    MessageType::replica_read,
    MessageType::replica_read_reply,
    MessageType::replica_write,
    MessageType::hinted_write,
    MessageType::replica_write_ack,
    MessageType::tombstone_check,
    MessageType::tombstone_check_reply,
    MessageType::purge,
    MessageType::status_request,
    MessageType::status_reply,
    MessageType::gossip,
    MessageType::gossip_reply,
    MessageType::tree_compare,
    MessageType::tree_compare_reply,
    MessageType::leaf_sync,
    MessageType::leaf_sync_reply,
    MessageType::membership_change,
    MessageType::membership_change_reply,
    MessageType::partition_fetch,
    MessageType::partition_chunk,
};

class MessageGenerator {
 public:
  // Byte strings are at most max_bytes long; sibling sets come from up to max_versions adds.
  explicit MessageGenerator(std::uint64_t seed, std::size_t max_bytes = 600,
                            std::size_t max_versions = 6)
      : rng_(seed), max_bytes_(max_bytes), max_versions_(max_versions) {}

  std::mt19937_64& rng() { return rng_; }

  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) {
    return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_);
  }

  // Small numbers mostly, but every varint length turns up.
  std::uint64_t u64() {
    switch (below(4)) {
      case 0: return below(128);
      case 1: return below(1u << 16);
      case 2: return rng_() >> below(64);
      default: return rng_();
    }
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(u64()); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(rng_()); }
  bool flag() { return below(2) == 1; }

  // Any bytes, NUL included; empty and short strings are common.
  std::string bytes() {
    const std::size_t len = below(4) == 0 ? 0 : below(below(2) ? 16 : max_bytes_ + 1);
    std::string s(len, '\0');
    for (char& c : s) c = static_cast<char>(below(256));
    return s;
  }

  VectorClock clock() {
    VectorClock c;
    for (std::uint64_t n = below(6); n > 0; --n) {
      // Braces, not a call's arguments, so every compiler draws in the same order.
      const ClockEntry e{actor(), 1 + below(5), u64()};
      c.witness(e.actor, e.counter, e.timestamp);
    }
    return c;
  }

  // A version a real coordinator could have written: counter >= 1 and not in its own past.
  Versioned versioned() {
    Versioned v{{actor(), 1 + below(6)}, u64(), clock(), {}, false};
    v.dot.counter = std::max(v.dot.counter, v.past.counter(v.dot.actor) + 1);
    v.tombstone = below(4) == 0;
    if (!v.tombstone) v.value = bytes();
    return v;
  }

  Siblings siblings() {
    Siblings s;
    for (std::uint64_t n = below(max_versions_ + 1); n > 0; --n) s.add(versioned());
    return s;
  }

  Status status() { return {.code = u32(), .replied = u32(), .required = u32()}; }

  // Any hash byte, known or not, and any partition count: the wire does not validate them.
  ring::RingParams ring_params() { return {static_cast<ring::HashKind>(u8()), u32()}; }

  // Sizes only: partitions need not be distinct, in range or sorted, as decoding does not check.
  ring::Member member() {
    ring::Member m{bytes(), bytes(), u32(), {}};
    for (std::uint64_t n = below(3) == 0 ? 0 : below(max_versions_ * 4 + 1); n > 0; --n) {
      m.partitions.push_back(u32());
    }
    return m;
  }

  std::vector<ring::Member> members() {
    std::vector<ring::Member> ms;
    for (std::uint64_t n = below(max_versions_ + 1); n > 0; --n) ms.push_back(member());
    return ms;
  }

  Message of(MessageType type) {
    switch (type) {
      case MessageType::hello:
        return Hello{u8(), bytes(), bytes(), ring_params(), bytes(), u64(), flag()};
      case MessageType::error: return Error{u64(), u32(), bytes()};
      case MessageType::ring_request: return RingRequest{u64()};
      case MessageType::ring_reply: {
        RingReply reply{u64(), ring_params(), u32(), members(), u64(), members(), {}, u8()};
        for (std::size_t i = below(4); i > 0; --i) reply.addresses.push_back({bytes(), bytes()});
        return reply;
      }
      case MessageType::client_get: return ClientGet{u64(), bytes(), u8(), flag()};
      case MessageType::client_get_reply: return ClientGetReply{u64(), status(), siblings()};
      case MessageType::client_put:
        return ClientPut{u64(), bytes(), bytes(), bytes(), u8(), flag()};
      case MessageType::client_remove: return ClientRemove{u64(), bytes(), bytes(), u8(), flag()};
      case MessageType::client_write_reply: return ClientWriteReply{u64(), status(), siblings()};
      case MessageType::replica_read: return ReplicaRead{u64(), bytes(), u64()};
      case MessageType::replica_read_reply: return ReplicaReadReply{u64(), status(), siblings()};
      case MessageType::replica_write: return ReplicaWrite{u64(), bytes(), siblings()};
      case MessageType::hinted_write: return HintedWrite{u64(), bytes(), bytes(), siblings()};
      case MessageType::replica_write_ack: return ReplicaWriteAck{u64(), status()};
      case MessageType::tombstone_check: return TombstoneCheck{u64(), bytes()};
      case MessageType::tombstone_check_reply:
        return TombstoneCheckReply{u64(), siblings(), flag()};
      case MessageType::purge: return Purge{u64(), bytes(), siblings()};
      case MessageType::status_request: return StatusRequest{u64(), flag()};
      case MessageType::status_reply: {
        StatusReply reply{u64(), bytes(), u64(), u64(), u64(), {}, u64(), bytes(), u32(), u64(), u32(), bytes()};
        for (std::size_t i = below(4); i > 0; --i) reply.peers.push_back({bytes(), bytes()});
        return reply;
      }
      case MessageType::gossip: return Gossip{heartbeats()};
      case MessageType::gossip_reply: return GossipReply{heartbeats()};
      case MessageType::tree_compare: return TreeCompare{u64(), u32(), u8(), tree_nodes()};
      case MessageType::tree_compare_reply: return TreeCompareReply{u64(), u8(), tree_nodes()};
      case MessageType::leaf_sync: {
        LeafSync sync{u64(), u32(), {}, key_versions()};
        for (std::size_t i = below(5); i > 0; --i) sync.leaves.push_back(u32());
        return sync;
      }
      case MessageType::leaf_sync_reply: return LeafSyncReply{u64(), key_versions()};
      case MessageType::membership_change:
        return MembershipChange{u64(), static_cast<ChangeKind>(u8()), bytes(), bytes(), bytes(),
                                u32()};
      case MessageType::membership_change_reply:
        return MembershipChangeReply{u64(), status(), u64(), bytes()};
      case MessageType::partition_fetch:
        return PartitionFetch{u64(), u32(), u32(), u32(), u32()};
      case MessageType::partition_chunk:
        return PartitionChunk{u64(), u32(), u32(), key_versions()};
    }
    return Error{};
  }

  std::vector<MemberHeartbeat> heartbeats() {
    std::vector<MemberHeartbeat> out;
    for (std::size_t i = below(5); i > 0; --i) {
      out.push_back({bytes(), u64(), u64(), u8(), u64(), u64()});
    }
    return out;
  }

  std::vector<TreeNodeHash> tree_nodes() {
    std::vector<TreeNodeHash> out;
    for (std::size_t i = below(17); i > 0; --i) out.push_back({u32(), u64()});
    return out;
  }

  std::vector<KeyVersions> key_versions() {
    std::vector<KeyVersions> out;
    for (std::size_t i = below(4); i > 0; --i) out.push_back({bytes(), siblings()});
    return out;
  }

  Message any() { return of(all_message_types[below(std::size(all_message_types))]); }

 private:
  // A small pool, so versions share actors and sometimes supersede one another.
  ActorId actor() { return ActorId{below(8)}; }

  std::mt19937_64 rng_;
  std::size_t max_bytes_;
  std::size_t max_versions_;
};

}  // namespace dynamo::wire::testing
