#pragma once
// AntiEntropy's exchange (anti_entropy.hpp): the initiator's round and replies, the other
// replica's answers.

#include <iterator>
#include <map>

namespace dynamo {

template <AntiEntropyContext C>
void AntiEntropy<C>::start_round() {
  const std::uint32_t q = context_.partitions();
  for (std::uint32_t tries = 0; tries < q && exchanges_.size() < options_.exchanges; ++tries) {
    const std::uint32_t partition = cursor_;
    cursor_ = (cursor_ + 1) % q;
    if (!context_.replicates(partition)) continue;
    std::vector<std::string> others;
    for (std::string& name : context_.other_replicas(partition)) {
      if (context_.usable(name)) others.push_back(std::move(name));
    }
    if (others.empty()) continue;
    const std::string peer = others[rounds_++ % others.size()];
    const antientropy::MerkleTree& tree = context_.tree(partition);
    const std::uint64_t id =
        exchanges_.start(ExchangeOp{peer, partition, 1, false}, options_.deadline);
    context_.send(peer, wire::TreeCompare{id, partition, 0, {{0, tree.root()}}});
  }
}

template <AntiEntropyContext C>
void AntiEntropy<C>::finish(std::uint64_t id) {
  if (exchanges_.take(id)) context_.exchange_completed();
}

// The keys stored under the given leaves, each leaf's keys one contiguous run of ring order.
template <AntiEntropyContext C>
std::vector<wire::KeyVersions> AntiEntropy<C>::keys_in_leaves(
    const antientropy::MerkleTree& tree, const std::vector<std::uint32_t>& leaves) const {
  std::vector<wire::KeyVersions> out;
  for (const std::uint32_t leaf : leaves) {
    context_.for_each_in_range(tree.leaf_range(leaf),
                               [&](ring::Position, std::string_view key, const Siblings& s) {
                                 out.push_back({Key(key), s});
                               });
  }
  return out;
}

template <AntiEntropyContext C>
void AntiEntropy<C>::on_tree_compare(const std::string& from, const wire::TreeCompare& m) {
  if (m.partition >= context_.partitions() || !context_.replicates(m.partition) ||
      m.level >= options_.merkle_depth) {
    return;
  }
  const antientropy::MerkleTree& tree = context_.tree(m.partition);
  wire::TreeCompareReply reply{m.request_id, static_cast<std::uint8_t>(m.level + 1), {}};
  for (const wire::TreeNodeHash& node : m.nodes) {
    if (node.index >= tree.width(m.level)) return;
    if (tree.hash(m.level, node.index) == node.hash) continue;
    const std::uint32_t first = node.index << antientropy::MerkleTree::fanout_bits;
    for (std::uint32_t c = first; c < first + antientropy::MerkleTree::fanout; ++c) {
      reply.nodes.push_back({c, tree.hash(m.level + 1, c)});
    }
  }
  context_.send(from, reply);
}

template <AntiEntropyContext C>
void AntiEntropy<C>::on_tree_compare_reply(const std::string& from,
                                           const wire::TreeCompareReply& m) {
  ExchangeOp* exchange = exchanges_.find(m.request_id);
  if (exchange == nullptr || exchange->peer != from || exchange->syncing ||
      m.level != exchange->reply_level) {
    return context_.unmatched();
  }
  const std::uint32_t partition = exchange->partition;
  const antientropy::MerkleTree& tree = context_.tree(partition);
  if (m.level > tree.depth()) return finish(m.request_id);
  std::vector<wire::TreeNodeHash> differing;
  for (const wire::TreeNodeHash& node : m.nodes) {
    if (node.index < tree.width(m.level) && tree.hash(m.level, node.index) != node.hash) {
      differing.push_back({node.index, tree.hash(m.level, node.index)});
    }
  }
  if (differing.empty()) return finish(m.request_id);
  if (m.level < tree.depth()) {
    exchange->reply_level = static_cast<std::uint8_t>(m.level + 1);
    context_.send(from, wire::TreeCompare{m.request_id, partition, m.level, std::move(differing)});
    return;
  }
  exchange->syncing = true;
  wire::LeafSync sync{m.request_id, partition, {}, {}};
  for (const wire::TreeNodeHash& leaf : differing) {
    if (!sync.entries.empty() && sync.entries.size() >= options_.max_keys) break;
    auto keys = keys_in_leaves(tree, {leaf.index});
    sync.entries.insert(sync.entries.end(), std::make_move_iterator(keys.begin()),
                        std::make_move_iterator(keys.end()));
    sync.leaves.push_back(leaf.index);
  }
  context_.keys_sent(sync.entries.size());
  context_.send(from, sync);
}

template <AntiEntropyContext C>
void AntiEntropy<C>::on_leaf_sync(const std::string& from, const wire::LeafSync& m) {
  if (m.partition >= context_.partitions() || !context_.replicates(m.partition)) return;
  const antientropy::MerkleTree& tree = context_.tree(m.partition);
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
    if (repair_from(m.partition, e)) context_.keys_repaired(1);
  }
  context_.keys_sent(reply.entries.size());
  context_.send(from, reply);
}

template <AntiEntropyContext C>
void AntiEntropy<C>::on_leaf_sync_reply(const std::string& from, const wire::LeafSyncReply& m) {
  const ExchangeOp* exchange = exchanges_.find(m.request_id);
  if (exchange == nullptr || exchange->peer != from || !exchange->syncing) {
    return context_.unmatched();
  }
  const std::uint32_t partition = exchange->partition;
  std::uint64_t repaired = 0;
  for (const wire::KeyVersions& e : m.entries) repaired += repair_from(partition, e) ? 1 : 0;
  context_.keys_repaired(repaired);
  if (repaired > 0) {
    context_.log(LogLevel::info, "anti_entropy_repaired",
                 "anti-entropy with " + from + " repaired " + std::to_string(repaired) +
                     " key(s) of partition " + std::to_string(partition),
                 {{"peer", from},
                  {"keys", std::to_string(repaired)},
                  {"partition", std::to_string(partition)}});
  }
  finish(m.request_id);
}

// Merges one received key, if it belongs to the partition being compared; true if it changed
// what this node stores.
template <AntiEntropyContext C>
bool AntiEntropy<C>::repair_from(std::uint32_t partition, const wire::KeyVersions& entry) {
  if (entry.siblings.empty()) return false;
  if (context_.partition_of(entry.key) != partition) return false;
  return context_.merge(entry.key, entry.siblings);
}

}  // namespace dynamo
