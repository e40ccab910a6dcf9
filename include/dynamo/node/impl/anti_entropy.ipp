#pragma once
// Anti-entropy (the paper's section 4.7): each node keeps a Merkle tree per partition it
// replicates, updated on every write, and periodically compares one partition's tree with another
// replica's, top-down, exchanging only the keys under leaves that differ. It repairs what hinted
// handoff cannot: a hint lost with the node that held it, a replica restored from an old disk.
//
// At most anti_entropy_exchanges exchanges are in flight per node and each LeafSync carries at
// most anti_entropy_max_keys keys, so the work it adds to the foreground is bounded.

#include <cassert>

namespace dynamo {

template <Storage S, Transport T>
bool NodeCore<S, T>::replicates(std::uint32_t partition) const {
  return membership_.replicates_now(partition);
}

// The next partitions this node replicates, each compared with its other replicas in turn, until
// anti_entropy_exchanges are in flight.
template <Storage S, Transport T>
void NodeCore<S, T>::start_exchange() {
  const std::uint32_t q = ring().params().partitions;
  for (std::uint32_t tries = 0; tries < q && exchanges_.size() < config_.anti_entropy_exchanges;
       ++tries) {
    const std::uint32_t partition = exchange_cursor_;
    exchange_cursor_ = (exchange_cursor_ + 1) % q;
    if (!replicates(partition)) continue;
    std::vector<std::string> others;
    for (const ring::NodeIndex i : ring().primaries(partition)) {
      const std::string& name = ring().member(i).name;
      if (!is_self(name) && usable(name)) others.push_back(name);
    }
    if (others.empty()) continue;
    const std::string peer = others[exchange_rounds_++ % others.size()];
    const antientropy::MerkleTree& tree = store_.tree(partition);
    const std::uint64_t id = next_id(RequestKind::exchange);
    const TimerId timer =
        transport_.schedule(2 * config_.request_timeout, [this, id] { exchanges_.erase(id); });
    exchanges_.emplace(id, ExchangeOp{peer, partition, timer, 1, false});
    send(peer, wire::TreeCompare{id, partition, 0, {{0, tree.root()}}});
  }
}

template <Storage S, Transport T>
void NodeCore<S, T>::finish_exchange(std::uint64_t id) {
  const auto it = exchanges_.find(id);
  if (it == exchanges_.end()) return;
  transport_.cancel(it->second.timer);
  exchanges_.erase(it);
  metrics_.anti_entropy_exchanges.add();
}

// The keys stored under the given leaves, each leaf's keys one contiguous run of ring order.
template <Storage S, Transport T>
std::vector<wire::KeyVersions> NodeCore<S, T>::keys_in_leaves(
    const antientropy::MerkleTree& tree, const std::vector<std::uint32_t>& leaves) const {
  std::vector<wire::KeyVersions> out;
  for (const std::uint32_t leaf : leaves) {
    storage().for_each_in_range(tree.leaf_range(leaf),
                               [&](ring::Position, std::string_view key, const Siblings& s) {
                                 out.push_back({Key(key), s});
                               });
  }
  return out;
}

// The other replica's side: answer with our hashes of the children of every node that differs.
template <Storage S, Transport T>
void NodeCore<S, T>::on_tree_compare(const std::string& from, const wire::TreeCompare& m) {
  if (m.partition >= ring().params().partitions || !replicates(m.partition) ||
      m.level >= config_.merkle_depth) {
    return;  // not ours to compare, or a tree of another shape: the initiator times out
  }
  const antientropy::MerkleTree& tree = store_.tree(m.partition);
  wire::TreeCompareReply reply{m.request_id, static_cast<std::uint8_t>(m.level + 1), {}};
  for (const wire::TreeNodeHash& node : m.nodes) {
    if (node.index >= tree.width(m.level)) return;
    if (tree.hash(m.level, node.index) == node.hash) continue;
    const std::uint32_t first = node.index << antientropy::MerkleTree::fanout_bits;
    for (std::uint32_t c = first; c < first + antientropy::MerkleTree::fanout; ++c) {
      reply.nodes.push_back({c, tree.hash(m.level + 1, c)});
    }
  }
  send(from, reply);
}

// The initiator's side: descend into what differs, and at the leaves send their keys.
template <Storage S, Transport T>
void NodeCore<S, T>::on_tree_compare_reply(const std::string& from,
                                           const wire::TreeCompareReply& m) {
  const auto it = exchanges_.find(m.request_id);
  if (it == exchanges_.end() || it->second.peer != from || it->second.syncing ||
      m.level != it->second.reply_level) {
    return unmatched();
  }
  const std::uint32_t partition = it->second.partition;
  const antientropy::MerkleTree& tree = store_.tree(partition);
  if (m.level > tree.depth()) return finish_exchange(m.request_id);
  std::vector<wire::TreeNodeHash> differing;
  for (const wire::TreeNodeHash& node : m.nodes) {
    if (node.index < tree.width(m.level) && tree.hash(m.level, node.index) != node.hash) {
      differing.push_back({node.index, tree.hash(m.level, node.index)});
    }
  }
  if (differing.empty()) return finish_exchange(m.request_id);
  if (m.level < tree.depth()) {
    it->second.reply_level = static_cast<std::uint8_t>(m.level + 1);
    send(from, wire::TreeCompare{m.request_id, partition, m.level, std::move(differing)});
    return;
  }
  it->second.syncing = true;
  wire::LeafSync sync{m.request_id, partition, {}, {}};
  for (const wire::TreeNodeHash& leaf : differing) {
    if (!sync.entries.empty() && sync.entries.size() >= config_.anti_entropy_max_keys) break;
    auto keys = keys_in_leaves(tree, {leaf.index});
    sync.entries.insert(sync.entries.end(), std::make_move_iterator(keys.begin()),
                        std::make_move_iterator(keys.end()));
    sync.leaves.push_back(leaf.index);
  }
  metrics_.anti_entropy_keys_sent.add(sync.entries.size());
  send(from, sync);
}

// The other replica merges what it was sent and answers with what it held differently.
template <Storage S, Transport T>
void NodeCore<S, T>::on_leaf_sync(const std::string& from, wire::LeafSync m) {
  if (m.partition >= ring().params().partitions || !replicates(m.partition)) return;
  const antientropy::MerkleTree& tree = store_.tree(m.partition);
  for (const std::uint32_t leaf : m.leaves) {
    if (leaf >= tree.width(tree.depth())) return;
  }
  const std::vector<wire::KeyVersions> mine = keys_in_leaves(tree, m.leaves);
  std::map<std::string_view, const Siblings*> sent;
  for (const wire::KeyVersions& e : m.entries) sent.emplace(e.key, &e.siblings);
  wire::LeafSyncReply reply{m.request_id, {}};
  for (const wire::KeyVersions& e : mine) {
    const auto it = sent.find(e.key);
    if (it == sent.end() || !(*it->second == e.siblings)) reply.entries.push_back(e);
  }
  for (const wire::KeyVersions& e : m.entries) {
    if (repair_from(m.partition, e)) metrics_.anti_entropy_keys_repaired.add();
  }
  metrics_.anti_entropy_keys_sent.add(reply.entries.size());
  send(from, reply);
}

template <Storage S, Transport T>
void NodeCore<S, T>::on_leaf_sync_reply(const std::string& from, wire::LeafSyncReply m) {
  const auto it = exchanges_.find(m.request_id);
  if (it == exchanges_.end() || it->second.peer != from || !it->second.syncing) {
    return unmatched();
  }
  const std::uint32_t partition = it->second.partition;
  std::uint64_t repaired = 0;
  for (const wire::KeyVersions& e : m.entries) repaired += repair_from(partition, e) ? 1 : 0;
  metrics_.anti_entropy_keys_repaired.add(repaired);
  if (repaired > 0) {
    log(LogLevel::info, "anti_entropy_repaired",
        "anti-entropy with " + from + " repaired " + std::to_string(repaired) +
            " key(s) of partition " + std::to_string(partition),
        {{"peer", from}, {"keys", std::to_string(repaired)}, {"partition", std::to_string(partition)}});
  }
  finish_exchange(m.request_id);
}

// Merges one received key, if it belongs to the partition being compared; true if it changed
// what this node stores.
template <Storage S, Transport T>
bool NodeCore<S, T>::repair_from(std::uint32_t partition, const wire::KeyVersions& entry) {
  if (entry.siblings.empty()) return false;
  const ring::Position pos = ring::hash_key(ring().params().hash, entry.key);
  if (ring().partition_of(pos) != partition) return false;
  return store_.merge(pos, entry.key, entry.siblings);
}

}  // namespace dynamo
