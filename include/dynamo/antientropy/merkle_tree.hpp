#pragma once
// MerkleTree: the summary of one partition's keys that two replicas compare to find where they
// differ (the paper's section 4.7). The tree has a fixed shape: `depth` levels below the root,
// 16 children per node, so 16^depth leaves. Leaves cut the partition's range of ring positions
// into equal contiguous slices, so both replicas put every key in the same leaf whatever else
// they hold, and the keys of one leaf are one run of the storage's ring order.
//
// A leaf's hash is the XOR of its keys' state hashes and every inner node's the XOR of its
// children's, which makes a write an O(depth) update: XOR the change of one key's hash into the
// leaf and each ancestor. Two replicas holding the same keys in the same states have the same
// tree; any difference shows at the root (a false match needs a 64-bit coincidence).

#include <cassert>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dynamo/core/siblings.hpp"
#include "dynamo/ring/position.hpp"
#include "dynamo/ring/ring_params.hpp"

namespace dynamo::antientropy {

class MerkleTree {
 public:
  static constexpr unsigned fanout_bits = 4;
  static constexpr std::uint32_t fanout = 1u << fanout_bits;
  static constexpr unsigned max_depth = 4;

  // The tree of `partition` on a ring of `partitions` partitions.
  // REQUIRES: partition < partitions, 1 <= depth <= max_depth.
  MerkleTree(std::uint32_t partitions, std::uint32_t partition, unsigned depth)
      : partitions_(partitions), partition_(partition), depth_(depth), levels_(depth + 1) {
    assert(partition < partitions && depth >= 1 && depth <= max_depth);
    for (unsigned level = 0; level <= depth; ++level) levels_[level].assign(width(level), 0);
  }

  std::uint32_t partition() const { return partition_; }
  unsigned depth() const { return depth_; }  // the leaves' level; the root is level 0
  std::uint32_t width(unsigned level) const { return 1u << (fanout_bits * level); }

  // The leaf of a position of this partition: the ring is cut into partitions * leaves equal
  // slices the way partition_of cuts it into partitions, so slice / leaves is the partition.
  std::uint32_t leaf_of(ring::Position pos) const {
    return ring::slice_of(partitions_, width(depth_), pos);
  }

  // The closed range of positions in a leaf.
  ring::PositionRange leaf_range(std::uint32_t leaf) const {
    return ring::slice_range(partitions_, partition_, width(depth_), leaf);
  }

  // A key at pos changed from a state hashing to `before` to one hashing to `after` (0 for
  // absent, on either side).
  void update(ring::Position pos, std::uint64_t before, std::uint64_t after) {
    const std::uint64_t delta = before ^ after;
    if (delta == 0) return;
    assert(ring::slice_of(1, partitions_, pos) == partition_);  // a position of this partition
    std::uint32_t index = leaf_of(pos);
    for (unsigned level = depth_ + 1; level-- > 0;) {
      levels_[level][index] ^= delta;
      index >>= fanout_bits;
    }
  }

  // REQUIRES: level <= depth(), index < width(level).
  std::uint64_t hash(unsigned level, std::uint32_t index) const {
    assert(level <= depth_ && index < width(level));
    return levels_[level][index];
  }
  std::uint64_t root() const { return levels_[0][0]; }

 private:
  std::uint32_t partitions_;
  std::uint32_t partition_;
  unsigned depth_;
  std::vector<std::vector<std::uint64_t>> levels_;
};

// The hash of one key's state: its name and the dots and tombstone flags of its versions. A dot
// names one version for good (a value is never rewritten under the same dot), so equal dots mean
// equal sibling sets. Never 0, which stands for "absent".
std::uint64_t key_state_hash(std::string_view key, const Siblings& siblings);

}  // namespace dynamo::antientropy
