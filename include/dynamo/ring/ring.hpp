#pragma once
// Ring: the placement of keys on a membership snapshot, the paper's strategy 3. Built once per
// snapshot and immutable afterwards, it precomputes every partition's preference list so that
// routing a key is a hash and an index, without allocation.

#include <cassert>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "dynamo/ring/member.hpp"
#include "dynamo/ring/position.hpp"
#include "dynamo/ring/ring_params.hpp"

namespace dynamo::ring {

// An immutable, regular value (copyable, comparable, printable) describing where every key lives.
//
// Nodes are named by NodeIndex: the position of a member in the name-sorted member list.
//
// The preference list of a partition holds every member once. Walking clockwise from the
// partition, the first min(N, S) entries (the primaries) are the first N distinct nodes, chosen
// to cover as many distinct zones as there are zones (up to N): the first node met from each zone,
// then the earliest remaining nodes. If there are at least N zones the primaries are thus in N
// distinct zones; with a single zone (all zones "") they are simply the first N distinct nodes.
// The primaries appear in walk order, so the first is the partition's owner. The remaining nodes
// follow in walk order as the fallbacks a sloppy quorum uses; members that own no partition come
// last, in index order.
//
// Memory: Q * S NodeIndex entries (128 KiB for Q = 1024 and 64 nodes).
//
// Thread Safety: const member functions may be called concurrently.
class Ring {
 public:
  // Builds the ring of a complete snapshot. Returns nullopt and sets `ec` to
  // std::errc::invalid_argument if the params are invalid, replicas is 0, there are no members
  // or more than Member::max_members, a name is empty or repeated, a weight is 0, or some
  // partition is unowned, owned twice or beyond Q. Clears `ec` on success. For views received
  // from peers (gossip may deliver a transiently inconsistent one). Members may come in any order.
  static std::optional<Ring> build(const RingParams& params, std::uint32_t replicas,
                                   std::vector<Member> members, std::error_code& ec);

  // As above, but throws std::invalid_argument saying what is wrong. For local configuration.
  static Ring build(const RingParams& params, std::uint32_t replicas, std::vector<Member> members);

  // The ring of a node that belongs to no cluster yet: no members, and every preference list
  // empty. REQUIRES: is_valid(params).
  static Ring empty(const RingParams& params, std::uint32_t replicas) {
    assert(is_valid(params));
    return Ring(params, replicas);
  }

  const RingParams& params() const { return params_; }
  std::uint32_t replicas() const { return replicas_; }  // N
  std::size_t size() const { return members_.size(); }  // S

  // The members sorted by name, each with its partitions sorted.
  std::span<const Member> members() const { return members_; }
  // REQUIRES: node < size().
  const Member& member(NodeIndex node) const {
    assert(node < size());
    return members_[node];
  }
  // The index of the member called `name`, if any.
  std::optional<NodeIndex> find(std::string_view name) const;

  std::uint32_t partition_of(Position pos) const noexcept {
    return ring::partition_of(params_, pos);
  }
  std::uint32_t partition_of_key(std::string_view key) const {
    return partition_of(hash_key(params_.hash, key));
  }

  // Every member once: the primaries first, then the fallbacks (see the class comment).
  // REQUIRES: partition < params().partitions.
  std::span<const NodeIndex> preference_list(std::uint32_t partition) const {
    assert(partition < params_.partitions);
    return {preferences_.data() + std::size_t{partition} * members_.size(), members_.size()};
  }
  // The first min(N, S) entries of the preference list: the nodes that should hold the data.
  // REQUIRES: partition < params().partitions.
  std::span<const NodeIndex> primaries(std::uint32_t partition) const {
    return preference_list(partition).first(primary_count());
  }
  // The node that owns the partition's token, which is also the first primary.
  // REQUIRES: partition < params().partitions.
  NodeIndex owner(std::uint32_t partition) const { return preference_list(partition)[0]; }

  std::span<const NodeIndex> preference_list_for_key(std::string_view key) const {
    return preference_list(partition_of_key(key));
  }
  std::span<const NodeIndex> primaries_for_key(std::string_view key) const {
    return primaries(partition_of_key(key));
  }

  // The partitions `node` owns, ascending. REQUIRES: node < size().
  std::vector<std::uint32_t> partitions_of(NodeIndex node) const {
    assert(node < size());
    return members_[node].partitions;
  }

  // Rings are equal when built from equal params, N and members; the rest is derived.
  friend bool operator==(const Ring& a, const Ring& b) {
    return a.params_ == b.params_ && a.replicas_ == b.replicas_ && a.members_ == b.members_;
  }

 private:
  Ring(const RingParams& params, std::uint32_t replicas, std::vector<Member> members);
  Ring(const RingParams& params, std::uint32_t replicas) : params_(params), replicas_(replicas) {}
  std::size_t primary_count() const {
    return replicas_ < members_.size() ? replicas_ : members_.size();
  }

  RingParams params_;
  std::uint32_t replicas_;
  std::vector<Member> members_;
  std::vector<NodeIndex> preferences_;  // Q rows of S entries
};

// One line: params, N and each member with its partition count.
std::ostream& operator<<(std::ostream& os, const Ring& ring);

}  // namespace dynamo::ring
