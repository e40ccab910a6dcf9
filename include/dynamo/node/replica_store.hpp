#pragma once
// ReplicaStore: the only writer of a node's Storage. Every change of a key's stored siblings goes
// through merge() or erase() here, and each keeps the indexes derived from the stored state in
// step: the partitions' Merkle trees (built on first use, then updated by every change) and the
// owner's observer (tombstone candidates, the transfer's ledger of keys changed after they were
// served). "Every write goes through merge" is thereby a property of the type: the node holds
// no other handle that could write its Storage.
//
// Thread safety: none; its node calls it from one executor.

#include <cassert>
#include <concepts>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "dynamo/antientropy/merkle_tree.hpp"
#include "dynamo/concepts.hpp"
#include "dynamo/core/siblings.hpp"
#include "dynamo/ring/ring.hpp"
#include "dynamo/ring/ring_params.hpp"

namespace dynamo {

// Told after each change of a stored key's siblings (not of hints or metadata, and not of an
// erase): `after` is the state the storage now holds.
template <class O>
concept ReplicaObserver = requires(O& o, ring::Position pos, std::string_view key,
                                   const Siblings& after) {
  o.changed(pos, key, after);
};

template <Storage S, ReplicaObserver O>
class ReplicaStore {
 public:
  ReplicaStore(S storage, ring::RingParams params, unsigned merkle_depth, O observer)
      : storage_(std::move(storage)),
        params_(params),
        merkle_depth_(merkle_depth),
        observer_(std::move(observer)) {}

  // Everything a reader may ask of the storage. No writes: those are this class's own.
  const S& storage() const { return storage_; }
  std::optional<Siblings> get(ring::Position pos, std::string_view key) const {
    return storage_.get(pos, key);
  }
  std::optional<Siblings> get_hint(std::string_view owner, std::string_view key) const {
    return storage_.get_hint(owner, key);
  }

  // Merges `incoming` into what is stored for the key at `pos` (the key's hash); true when the
  // stored state changed (then the tree and the observer have been told).
  bool merge(ring::Position pos, std::string_view key, const Siblings& incoming);
  // Erases the key. REQUIRES: `stored` is its stored state (the caller has just read it).
  void erase(ring::Position pos, std::string_view key, const Siblings& stored);
  // Merges `incoming` into the hint kept for `owner`.
  void merge_hint(const std::string& owner, std::string_view key, const Siblings& incoming);
  bool erase_hint(std::string_view owner, std::string_view key) {
    return storage_.erase_hint(owner, key);
  }
  void put_meta(std::string_view name, std::optional<std::string> value) {
    storage_.put_meta(name, std::move(value));
  }

  // The Merkle tree of `partition`'s stored keys: built from the storage on first use, then kept
  // current by every merge and erase.
  const antientropy::MerkleTree& tree(std::uint32_t partition);
  // Forgets the trees of partitions for which keep(partition) is false (no longer replicated;
  // rebuilt if they ever are again).
  template <class Keep>
  void keep_trees_if(Keep keep) {
    std::erase_if(trees_, [&](const auto& entry) { return !keep(entry.first); });
  }

  // The storage's own background work and durability news, for storages that have them.
  bool maintain()
    requires MaintainedStorage<S>
  {
    return storage_.maintain();
  }
  std::uint64_t write_seq() const
    requires DeferredDurability<S>
  {
    return storage_.write_seq();
  }
  std::uint64_t durable_seq() const
    requires DeferredDurability<S>
  {
    return storage_.durable_seq();
  }
  void on_durable(std::function<void()> wake)
    requires DeferredDurability<S>
  {
    storage_.on_durable(std::move(wake));
  }

  // Runs `action` once everything written so far is durable: at once for a storage whose
  // writes are durable when they return, else from release_durable() once the storage says so.
  // A replica acknowledges a write only then; with group commit that is after the flusher's
  // next fdatasync, which this waits for without blocking.
  void when_durable(std::function<void()> action) {
    if constexpr (DeferredDurability<S>) {
      const std::uint64_t seq = storage_.write_seq();
      if (seq > storage_.durable_seq()) {
        awaiting_durable_.emplace_back(seq, std::move(action));
        return;
      }
    }
    action();
  }
  // Runs, in order, the actions whose writes the storage now reports durable.
  void release_durable() {
    if constexpr (DeferredDurability<S>) {
      const std::uint64_t durable = storage_.durable_seq();
      while (!awaiting_durable_.empty() && awaiting_durable_.front().first <= durable) {
        auto action = std::move(awaiting_durable_.front().second);
        awaiting_durable_.pop_front();
        action();
      }
    }
  }
  std::size_t awaiting_durable() const { return awaiting_durable_.size(); }
  // Forgets the waiting actions (the node stops; what was written stays the storage's).
  void forget_awaiting_durable() { awaiting_durable_.clear(); }

 private:
  antientropy::MerkleTree* built_tree(ring::Position pos) {
    const auto it = trees_.find(ring::partition_of(params_, pos));
    return it == trees_.end() ? nullptr : &it->second;
  }

  S storage_;
  ring::RingParams params_;
  unsigned merkle_depth_;
  O observer_;
  std::map<std::uint32_t, antientropy::MerkleTree> trees_;  // built on first use, then kept
  // Actions waiting for the storage to make a write durable: (write_seq, action).
  std::deque<std::pair<std::uint64_t, std::function<void()>>> awaiting_durable_;
};

template <Storage S, ReplicaObserver O>
bool ReplicaStore<S, O>::merge(ring::Position pos, std::string_view key,
                               const Siblings& incoming) {
  assert(pos == ring::hash_key(params_.hash, key));
  assert(mutually_concurrent(incoming.versions()));
  std::optional<Siblings> stored = storage_.get(pos, key);
  antientropy::MerkleTree* tree = built_tree(pos);
  if (!stored) {
    storage_.put(pos, key, incoming);
    if (tree) tree->update(pos, 0, antientropy::key_state_hash(key, incoming));
    observer_.changed(pos, key, incoming);
    return true;
  }
  const std::uint64_t before = tree ? antientropy::key_state_hash(key, *stored) : 0;
  if (!stored->merge(incoming)) return false;
  storage_.put(pos, key, *stored);
  if (tree) tree->update(pos, before, antientropy::key_state_hash(key, *stored));
  observer_.changed(pos, key, *stored);
  return true;
}

template <Storage S, ReplicaObserver O>
void ReplicaStore<S, O>::erase(ring::Position pos, std::string_view key, const Siblings& stored) {
  assert(pos == ring::hash_key(params_.hash, key));
  assert(storage_.get(pos, key) == stored);
  storage_.erase(pos, key);
  if (antientropy::MerkleTree* tree = built_tree(pos)) {
    tree->update(pos, antientropy::key_state_hash(key, stored), 0);
  }
}

template <Storage S, ReplicaObserver O>
void ReplicaStore<S, O>::merge_hint(const std::string& owner, std::string_view key,
                                    const Siblings& incoming) {
  assert(mutually_concurrent(incoming.versions()));
  std::optional<Siblings> stored = storage_.get_hint(owner, key);
  if (!stored) {
    storage_.put_hint(owner, key, incoming);
  } else if (stored->merge(incoming)) {
    storage_.put_hint(owner, key, std::move(*stored));
  }
}

template <Storage S, ReplicaObserver O>
const antientropy::MerkleTree& ReplicaStore<S, O>::tree(std::uint32_t partition) {
  assert(partition < params_.partitions);
  const auto it = trees_.find(partition);
  if (it != trees_.end()) return it->second;
  antientropy::MerkleTree built(params_.partitions, partition, merkle_depth_);
  storage_.for_each_in_range(ring::partition_range(params_, partition),
                             [&](ring::Position pos, std::string_view key, const Siblings& s) {
                               built.update(pos, 0, antientropy::key_state_hash(key, s));
                             });
  return trees_.emplace(partition, std::move(built)).first->second;
}

}  // namespace dynamo
