#pragma once
// AntiEntropy: the paper's section 4.7. A node keeps a Merkle tree per partition it replicates
// (its ReplicaStore updates them on every write) and now and then compares one partition's tree
// with another replica's, top-down, exchanging only the keys under leaves that differ. It
// repairs what hinted handoff cannot: a hint lost with the node that held it, a replica restored
// from an old disk.
//
// Both sides of an exchange live here: the initiator (start_round, the replies) and the other
// replica (on_tree_compare, on_leaf_sync). At most Options::exchanges exchanges are in flight
// and each LeafSync carries at most Options::max_keys keys (plus the rest of the leaf that
// reached the bound), so the work it adds to the foreground is bounded. An exchange whose peer
// stays silent is dropped at its deadline, silently: the next round tries again.
//
// Sans-I/O: everything it does to the world goes through its owner's AntiEntropyContext.
// Thread safety: none; its owner calls it from one executor.

#include <cassert>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamo/antientropy/merkle_tree.hpp"
#include "dynamo/concepts.hpp"
#include "dynamo/core/siblings.hpp"
#include "dynamo/log_record.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/node/one_shot_timers.hpp"
#include "dynamo/ring/ring_params.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo {

// What AntiEntropy needs from its owner. No call may call back into the component.
//  - schedule / cancel: one-shot timers (the exchanges' deadlines).
//  - send(peer, message): one message to a peer.
//  - partitions(): how many partitions the ring has; replicates(p): whether this node is a home
//    replica of partition p now; other_replicas(p): p's other home replicas, in ring order;
//    usable(peer): whether the peer is worth asking now (not suspected, not down).
//  - tree(p): the Merkle tree of partition p (REQUIRES replicates(p));
//    for_each_in_range(range, f): f(pos, key, siblings) for each stored key in range, in order.
//  - partition_of(key): the partition a key belongs to; merge(key, siblings): merges a received
//    entry into the stored state, true when that changed it.
//  - unmatched(): an answer matched no exchange in flight (late, duplicated or misdirected).
//  - exchange_completed(), keys_sent(n), keys_repaired(n): the node's counters.
//  - log(level, event, message, fields): one log record.
template <class C>
concept AntiEntropyContext =
    OneShotTimers<C> &&
    requires(C& c, const C& cc, const std::string& peer, const wire::Message& message,
             std::uint32_t partition, std::string_view key, const Siblings& siblings,
             ring::PositionRange range, const RangeVisitor& visit, std::uint64_t n,
             std::string text, std::vector<LogField> fields) {
      c.send(peer, message);
      { cc.partitions() } -> std::convertible_to<std::uint32_t>;
      { cc.replicates(partition) } -> std::convertible_to<bool>;
      { cc.other_replicas(partition) } -> std::same_as<std::vector<std::string>>;
      { cc.usable(peer) } -> std::convertible_to<bool>;
      { c.tree(partition) } -> std::same_as<const antientropy::MerkleTree&>;
      cc.for_each_in_range(range, visit);
      { cc.partition_of(key) } -> std::convertible_to<std::uint32_t>;
      { c.merge(key, siblings) } -> std::convertible_to<bool>;
      c.unmatched();
      c.exchange_completed();
      c.keys_sent(n);
      c.keys_repaired(n);
      c.log(LogLevel::info, key, std::move(text), std::move(fields));
    };

template <AntiEntropyContext C>
class AntiEntropy {
 public:
  struct Options {
    std::uint32_t exchanges = 1;   // at most this many in flight
    std::uint32_t max_keys = 1024;  // keys per LeafSync, give or take the last leaf
    unsigned merkle_depth = 0;      // the trees' depth: a TreeCompare below it is refused
    std::chrono::milliseconds deadline{0};  // an exchange unfinished by then is dropped
  };

  // REQUIRES: options.exchanges >= 1, options.deadline > 0.
  AntiEntropy(C& context, RequestIds& ids, Options options)
      : context_(context),
        options_(options),
        exchanges_(context, ids, RequestKind::exchange,
                   [this](std::uint64_t id) { exchanges_.take(id); }) {
    assert(options_.exchanges >= 1 && options_.deadline.count() > 0);
  }
  AntiEntropy(const AntiEntropy&) = delete;
  AntiEntropy& operator=(const AntiEntropy&) = delete;

  // The periodic job: compares the next partitions this node replicates, each with its other
  // usable replicas in turn, until Options::exchanges are in flight. Visits each partition at
  // most once per round.
  void start_round();

  // The other replica's side: answers with its hashes of the children of every node that
  // differs; at the leaves, merges what it was sent and answers with what it held differently.
  // A request for a partition this node does not replicate, or of another tree shape, gets no
  // answer: the initiator's deadline ends the exchange.
  void on_tree_compare(const std::string& from, const wire::TreeCompare& m);
  void on_leaf_sync(const std::string& from, const wire::LeafSync& m);
  // The initiator's side: descends into what differs, at the leaves sends their keys, and
  // merges the keys the other replica sends back. An answer no exchange waits for (unknown id,
  // another sender, or a type or level the exchange does not expect) counts as unmatched.
  void on_tree_compare_reply(const std::string& from, const wire::TreeCompareReply& m);
  void on_leaf_sync_reply(const std::string& from, const wire::LeafSyncReply& m);

  // Exchanges in flight.
  std::size_t size() const { return exchanges_.size(); }
  // Forgets every exchange in flight and cancels its deadline (the node stops).
  void clear() { exchanges_.clear(); }

  // Throws std::logic_error unless at most Options::exchanges are in flight and each holds a
  // live deadline (`live(timer)`, where the owner can tell).
  template <class Live>
  void check_invariants(Live live) const {
    if (exchanges_.size() > options_.exchanges) {
      throw std::logic_error("at most anti_entropy_exchanges exchanges are in flight: " +
                             std::to_string(exchanges_.size()));
    }
    exchanges_.check_invariants("anti-entropy exchange", live);
  }

 private:
  struct ExchangeOp {
    std::string peer;
    std::uint32_t partition = 0;
    // What the exchange waits for: a TreeCompareReply of this level, or (once the LeafSync is
    // sent) the LeafSyncReply. Anything else with its id is a late or duplicated answer.
    std::uint8_t reply_level = 1;
    bool syncing = false;
  };

  void finish(std::uint64_t id);
  std::vector<wire::KeyVersions> keys_in_leaves(const antientropy::MerkleTree& tree,
                                                const std::vector<std::uint32_t>& leaves) const;
  bool repair_from(std::uint32_t partition, const wire::KeyVersions& entry);

  C& context_;
  Options options_;
  InFlight<C, ExchangeOp> exchanges_;
  std::uint32_t cursor_ = 0;  // the next partition to compare
  std::uint64_t rounds_ = 0;  // exchanges started: picks the peer among a partition's replicas
};

}  // namespace dynamo

#include "dynamo/node/impl/anti_entropy_exchange.ipp"
