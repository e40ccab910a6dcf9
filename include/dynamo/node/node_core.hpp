#pragma once
// NodeCore: the Dynamo protocol of one node, without I/O of its own. It reacts to frames and
// timer ticks that arrive through its Transport, calls its Storage, and emits frames through the
// Transport again; it never reads a socket, a clock or a random source any other way. That is
// what lets the same code run over TCP and inside a deterministic simulation.
//
// One node plays every role of the paper's section 4: coordinator of gets and puts for the keys
// it is a home replica of (forwarding the others), replica for its own keys, fallback that keeps
// hints for unreachable owners and hands them back, collector of old tombstones, and member of
// a ring that nodes join and leave while it serves (membership.ipp, range_transfer.hpp).
//
// Thread safety: none. The front (Node) calls it from one executor only.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dynamo/antientropy/merkle_tree.hpp"
#include "dynamo/concepts.hpp"
#include "dynamo/detail/measured.hpp"
#include "dynamo/errc.hpp"
#include "dynamo/membership/gossip_state.hpp"
#include "dynamo/membership/ring_view.hpp"
#include "dynamo/metrics/node_metrics.hpp"
#include "dynamo/metrics/prometheus.hpp"
#include "dynamo/node/anti_entropy.hpp"
#include "dynamo/node/config.hpp"
#include "dynamo/node/forwarder.hpp"
#include "dynamo/node/hinted_handoff.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/node/peer_table.hpp"
#include "dynamo/node/periodic_jobs.hpp"
#include "dynamo/node/replica_plan.hpp"
#include "dynamo/node/range_transfer.hpp"
#include "dynamo/node/replica_store.hpp"
#include "dynamo/node/request_memory.hpp"
#include "dynamo/node/ring_membership.hpp"
#include "dynamo/node/write_coordinator.hpp"
#include "dynamo/node/tombstone_collector.hpp"
#include "dynamo/quorum/read_coordinator.hpp"
#include "dynamo/quorum/request_options.hpp"
#include "dynamo/ring/ring.hpp"
#include "dynamo/wire/frame.hpp"
#include "dynamo/wire/messages.hpp"
#include "dynamo/wire/ring_document.hpp"
#include "dynamo/wire/value_codec.hpp"

namespace dynamo {

template <Storage S, Transport T>
class NodeCore {
 public:
  // Called once per request with every version read (tombstones included), or for a write with
  // the coordinator's sibling set holding the new version (see WriteResult).
  using GetCallback = SiblingsCallback;
  using WriteCallback = SiblingsCallback;
  using ChangeCallback = std::function<void(std::error_code, MembershipResult)>;

  // Throws std::invalid_argument for an invalid config (see validate()).
  NodeCore(Config config, std::string resolver_name, S storage, T transport);
  ~NodeCore();
  NodeCore(const NodeCore&) = delete;
  NodeCore& operator=(const NodeCore&) = delete;

  // Stops for good (node_core.ipp): pending requests fail with errc::shutdown, timers stop, the
  // transport closes if it can; later requests fail with errc::shutdown. Idempotent.
  void stop();
  bool stopped() const { return stopped_; }
  // Ready to serve: the ring is known, this node is in it, and at least W of its members (this
  // one included) are reachable: handshaken, and neither suspected nor marked down.
  bool ready() const;

  // Requests from the host process. Each routes like a request from a client: coordinated here
  // when this node is a home replica of the key, else forwarded to one that is.
  void get(Key key, ReadOptions options, GetCallback done);
  void put(Key key, const Context& context, Value value, WriteOptions options, WriteCallback done);
  void remove(Key key, const Context& context, WriteOptions options, WriteCallback done);

  // Asks the ring's claimant (this node, or the one it forwards to) to admit or remove a node.
  // Completes with the epoch of the ring that carries the change, or errc::invalid_request (the
  // change is impossible: the detail says why), errc::unavailable (no ring yet, or the claimant
  // is unreachable), errc::ring_changing (the previous change was still spreading for ten
  // seconds) or errc::timeout.
  void change_membership(membership::ChangeRequest request, ChangeCallback done);

  const Config& config() const { return config_; }
  // The source of its log records: its name.
  const std::string& log_source() const { return config_.name; }
  // The layout reads and writes use now; empty while this node has no ring.
  const ring::Ring& ring() const { return view().current(); }
  const membership::RingView& ring_view() const { return view(); }
  // True once this node is outside the ring and has handed off every key and hint it held:
  // a leaving node may stop then.
  bool has_left() const;
  // Partitions this node must still fetch for the change under way.
  std::size_t fetches_left() const { return transfer_.fetches_left(); }
  ActorId actor() const { return actor_; }
  // The storage, to read. Its one writer is the replica store (replica_store.hpp).
  const S& storage() const { return store_.storage(); }
  // The storage's writer, for a test or tool that plants data: its writes keep the Merkle trees
  // and this node's ledgers in step, as the node's own do.
  auto& replica_store() { return store_; }
  T& transport() { return transport_; }
  // Coordinator requests, forwards, hint deliveries and tombstone checks still in flight.
  std::size_t pending() const;
  // Writes sent that this node still waits to hear back on: coordinated writes whose targets
  // have not all answered (a write completes to its caller once W have), hint deliveries and
  // relocations of misplaced keys. While it is 0 and no hint or misplaced key is held, every
  // copy this node is responsible for has landed: the cluster is quiet.
  std::size_t writes_in_flight() const {
    return writes_.size() + handoff_.size() + transfer_.relocations_in_flight();
  }
  std::uint64_t malformed_frames() const { return metrics_.malformed_frames.value(); }
  // Answers that matched no request in flight by id, sender and type (late, duplicated or
  // misdirected): each was dropped. Acknowledgements of read repairs, which nothing waits for,
  // count here too.
  std::uint64_t unmatched_replies() const { return metrics_.unmatched_replies.value(); }
  // Client requests remembered so that a duplicate is not served twice, and the distinct
  // senders among them; both forget what is older than two forward timeouts.
  std::size_t remembered_requests() const { return recent_requests_.requests(); }
  std::size_t remembered_senders() const { return recent_requests_.senders(); }
  // This node's view of every member's heartbeat (gossip.ipp), and whether it believes `peer`
  // has failed.
  const membership::GossipState& gossip_state() const { return membership_.gossip(); }
  bool is_down(const std::string& peer) const { return peers_.is_down(peer); }
  // Anti-entropy so far (anti_entropy.hpp).
  struct AntiEntropyStats {
    std::uint64_t exchanges = 0;       // completed, whether or not anything differed
    std::uint64_t keys_sent = 0;       // keys this node sent in LeafSync and LeafSyncReply
    std::uint64_t keys_repaired = 0;   // keys whose stored state changed by a received entry
  };
  AntiEntropyStats anti_entropy_stats() const {
    return {metrics_.anti_entropy_exchanges.value(), metrics_.anti_entropy_keys_sent.value(),
            metrics_.anti_entropy_keys_repaired.value()};
  }
  // Range transfer and handoff so far (range_transfer.hpp).
  struct TransferStats {
    std::uint64_t keys_fetched = 0;     // received from sources for partitions a change added
    std::uint64_t keys_dropped = 0;     // dropped at once: a replica had fetched them from here
    std::uint64_t keys_handed_off = 0;  // written to their replicas one by one, then dropped
  };
  TransferStats transfer_stats() const {
    return {metrics_.transfer_keys_fetched.value(), metrics_.transfer_keys_dropped.value(),
            metrics_.transfer_keys_handed_off.value()};
  }
  // Counters and latencies as they are now, gauges as of the last refresh_metrics() (each
  // gossip round). Safe from any thread, unlike everything else here.
  metrics::NodeMetrics metrics() const { return metrics_.snapshot(config_.name); }
  // Publishes the gauges (storage figures, ring, peers and their phi) for metrics().
  void refresh_metrics();
  // Checks what must hold between any two events (invariants.ipp): every operation in flight
  // holds a live timeout and appears in the indexes that name it, periodic timers are armed
  // while running, nothing is in flight once stopped, sibling sets in flight (and a sample of
  // stored ones) are mutually concurrent. Returns if all hold; throws std::logic_error naming
  // this node and the invariant otherwise. O(operations in flight); the Simulator runs it after
  // every event.
  void check_invariants() const;

 private:

  // coordinator.ipp: routing (coordinate here or forward) and the hooks of the coordinators
  bool coordinates(std::string_view key) const;
  std::optional<std::string> forward_target(std::string_view key,
                                            const std::set<std::string>& tried) const;
  ReplicaPlan plan_for(std::string_view key) const {
    return plan_replicas(ring(), config_.n, ring::hash_key(ring().params().hash, key),
                         [this](const std::string& node) { return usable(node); });
  }
  void coordinate_get(Key key, ReadOptions options, GetCallback done);
  void coordinate_write(Key key, VectorClock context, std::optional<Value> value,
                        WriteOptions options, WriteCallback done);
  // What the read coordinator does to the world, done by this node.
  struct ReadHooks {
    NodeCore& core;
    std::optional<Siblings> ask(const std::string& node, std::uint64_t id, const Key& key,
                                std::uint64_t epoch);
    bool usable(const std::string& node) const { return core.usable(node); }
    void slow(const std::string& node, std::chrono::milliseconds waited) {
      core.suspect(node, waited);
    }
    void silent(const std::string& node, std::chrono::milliseconds waited) {
      core.suspect(node, waited);
    }
    void repair(const std::string& node, const Key& key, const Siblings& merged);
    TimerId schedule(std::chrono::milliseconds delay, std::function<void()> action) {
      return core.transport_.schedule(delay, std::move(action));
    }
    void cancel(TimerId timer) { core.transport_.cancel(timer); }
    std::uint64_t next_id() { return core.next_id(RequestKind::read); }
  };
  // What the write coordinator does to the world (write_coordinator.hpp).
  struct WriteHooks {
    NodeCore& core;
    bool usable(const std::string& node) const { return core.usable(node); }
    void suspect(const std::string& node, std::chrono::milliseconds waited) {
      core.suspect(node, waited);
    }
    bool is_self(const std::string& node) const { return core.is_self(node); }
    void send(const std::string& node, const wire::Message& m) { core.send(node, m); }
    void merge_local(const ReplicaTarget& target, ring::Position pos, std::string_view key,
                     const Siblings& incoming) {
      core.merge_local(target, pos, key, incoming);
    }
    void merge_into_hint(const std::string& owner, std::string_view key, const Siblings& s) {
      core.merge_into_hint(owner, key, s);
    }
    std::optional<Siblings> stored(ring::Position pos, std::string_view key) const {
      return core.store_.get(pos, key);
    }
    void when_durable(std::function<void()> action) { core.when_durable(std::move(action)); }
    ActorId actor() const { return core.actor_; }
    ActorId one_off_actor();
    std::uint64_t wall_clock_ms() { return core.transport_.wall_clock_ms(); }
    void unmatched() { core.unmatched(); }
  };
  // What the forwarder does to the world (forwarder.hpp).
  struct ForwardHooks {
    NodeCore& core;
    void send(const std::string& node, const wire::Message& m) { core.send(node, m); }
    void suspect(const std::string& node, std::chrono::milliseconds waited) {
      core.suspect(node, waited);
    }
  };
  template <class Reply>
  void forward_for_siblings(const std::string& target, wire::Message request,
                            SiblingsCallback done, std::function<void(wire::Message)> reroute);
  void forward(const std::string& target, wire::Message request,
               std::function<void(const wire::Status&, const wire::Message*)> on_reply,
               std::function<void(wire::Message)> reroute = {});
  void on_unreachable(std::string_view peer);
  void route_get(Key key, ReadOptions options, GetCallback done,
                 std::set<std::string> tried = {});
  void route_write(Key key, VectorClock context, std::optional<Value> value, WriteOptions options,
                   WriteCallback done, std::set<std::string> tried = {});

  // replica.ipp
  void on_frame(std::string_view from, std::string_view bytes);
  void handle(const std::string& from, wire::Message message);
  void handle_hello(const std::string& from, const wire::Hello& hello);
  void handle_client_get(const std::string& from, wire::ClientGet request);
  void handle_client_write(const std::string& from, std::uint64_t id, Key key,
                           std::string_view context, std::optional<Value> value,
                           std::uint8_t w, bool strict);
  Siblings local_read(std::string_view key) const;
  void merge_local(const ReplicaTarget& target, ring::Position pos, std::string_view key,
                   const Siblings& incoming);
  void merge_into_hint(const std::string& owner, std::string_view key, const Siblings& incoming);
  void acknowledge_when_durable(const std::string& to, std::uint64_t request_id);
  void send(const std::string& to, const wire::Message& message);
  void send_hello(const std::string& peer);
  void log(LogLevel level, std::string_view event, std::string message,
           std::vector<LogField> fields = {}) const;

  // gossip.ipp: heartbeats, phi-accrual failure detection
  void gossip_round();
  void probe_silent_suspects();
  void detect_failures();
  // Whether a coordinator should try the node now: not suspected after a timeout, not believed
  // down by the failure detector, not refused at handshake.
  bool usable(const std::string& node) const;

  // What anti-entropy (anti_entropy.hpp) does to the world, done by this node.
  struct ExchangeHooks {
    NodeCore& core;
    TimerId schedule(std::chrono::milliseconds delay, std::function<void()> action) {
      return core.transport_.schedule(delay, std::move(action));
    }
    void cancel(TimerId timer) { core.transport_.cancel(timer); }
    void send(const std::string& peer, const wire::Message& m) { core.send(peer, m); }
    std::uint32_t partitions() const { return core.ring().params().partitions; }
    bool replicates(std::uint32_t partition) const { return core.replicates(partition); }
    std::vector<std::string> other_replicas(std::uint32_t partition) const;
    bool usable(const std::string& peer) const { return core.usable(peer); }
    const antientropy::MerkleTree& tree(std::uint32_t partition) {
      return core.store_.tree(partition);
    }
    void for_each_in_range(ring::PositionRange range, const RangeVisitor& visit) const {
      core.storage().for_each_in_range(range, visit);
    }
    std::uint32_t partition_of(std::string_view key) const {
      return core.ring().partition_of_key(key);
    }
    bool merge(std::string_view key, const Siblings& siblings) {
      return core.store_.merge(ring::hash_key(core.ring().params().hash, key), key, siblings);
    }
    void unmatched() { core.unmatched(); }
    void exchange_completed() { core.metrics_.anti_entropy_exchanges.add(); }
    void keys_sent(std::uint64_t n) { core.metrics_.anti_entropy_keys_sent.add(n); }
    void keys_repaired(std::uint64_t n) { core.metrics_.anti_entropy_keys_repaired.add(n); }
    void log(LogLevel level, std::string_view event, std::string message,
             std::vector<LogField> fields) {
      core.log(level, event, std::move(message), std::move(fields));
    }
  };
  // What tombstone collection (tombstone_collector.hpp) needs of this node.
  struct TombstoneHooks {
    NodeCore& core;
    TimerId schedule(std::chrono::milliseconds delay, std::function<void()> action) {
      return core.transport_.schedule(delay, std::move(action));
    }
    void cancel(TimerId timer) { core.transport_.cancel(timer); }
    std::chrono::milliseconds now() const { return core.now(); }
    std::uint64_t wall_clock_ms() const { return core.transport_.wall_clock_ms(); }
    void send(const std::string& node, const wire::Message& m) { core.send(node, m); }
    bool ring_stable() const { return core.view().stable(); }
    std::chrono::milliseconds ring_changed_at() const { return core.membership_.ring_changed_at(); }
    const std::vector<std::string>& members() const { return core.view().names(); }
    std::vector<std::string> home_replicas(std::string_view key) const;
    bool is_self(std::string_view node) const { return core.is_self(node); }
    bool holds_hint_for(std::string_view key) const { return core.holds_hint_for(key); }
    std::optional<Siblings> stored(std::string_view key) const {
      return core.store_.get(ring::hash_key(core.ring().params().hash, key), key);
    }
    void erase(std::string_view key, const Siblings& stored) {
      core.store_.erase(ring::hash_key(core.ring().params().hash, key), key, stored);
    }
    template <class Visit>
    void for_each_stored(Visit visit) const;
    void unmatched() { core.unmatched(); }
    void log(LogLevel level, std::string_view event, std::string message,
             std::vector<LogField> fields) {
      core.log(level, event, std::move(message), std::move(fields));
    }
  };

  // maintenance.ipp: storage maintenance, hinted handoff, the periodic jobs
  void when_durable(std::function<void()> action) { store_.when_durable(std::move(action)); }
  void start_jobs();
  // What hinted handoff does to the world (hinted_handoff.hpp).
  struct HandoffHooks {
    NodeCore& core;
    template <class Visit>
    void for_each_hint(Visit&& visit) const {
      core.storage().for_each_hint(std::forward<Visit>(visit));
    }
    std::optional<Siblings> get_hint(const std::string& owner, std::string_view key) const {
      return core.store_.get_hint(owner, key);
    }
    void erase_hint(const std::string& owner, std::string_view key) {
      core.store_.erase_hint(owner, key);
    }
    bool rightful_owner(const std::string& owner, std::string_view key) const {
      return core.rightful_owner(owner, key);
    }
    bool relocating(const std::string& owner, std::string_view key) const {
      return core.transfer_.relocating(owner, Key(key));
    }
    void relocate(const std::string& owner, std::string_view key, const Siblings& s) {
      core.transfer_.start_relocation(owner, Key(key),
                                      ring::hash_key(core.ring().params().hash, key), s);
    }
    bool usable(const std::string& owner) const { return core.usable(owner); }
    void send(const std::string& owner, const wire::Message& m) { core.send(owner, m); }
    void suspect(const std::string& owner, std::chrono::milliseconds waited) {
      core.suspect(owner, waited);
    }
    void delivered() { core.metrics_.hints_delivered.add(); }
    void log(LogLevel level, std::string_view event, std::string message,
             std::vector<LogField> fields) const {
      core.log(level, event, std::move(message), std::move(fields));
    }
  };
  bool rightful_owner(const std::string& owner, std::string_view key) const;
  bool holds_hint_for(std::string_view key) const;

  // membership.ipp: what a new ring means for each component, and the membership's hooks
  // What ring membership does to the world (ring_membership.hpp).
  struct MembershipHooks {
    NodeCore& core;
    std::chrono::milliseconds now() const { return core.now(); }
    void send(const std::string& node, const wire::Message& m) { core.send(node, m); }
    void forward(const std::string& node, wire::Message m,
                 std::function<void(const wire::Status&, const wire::Message*)> on_reply) {
      core.forward(node, std::move(m), std::move(on_reply));
    }
    bool usable(const std::string& node) const { return core.usable(node); }
    bool is_down(const std::string& node) const { return core.peers_.is_down(node); }
    std::optional<std::string> get_meta(std::string_view name) const {
      return core.storage().get_meta(name);
    }
    void put_meta(std::string_view name, std::string value) {
      core.store_.put_meta(name, std::move(value));
    }
    void members_changed(const std::vector<std::string>& names);
    void heard_heartbeat(const std::string& peer);
    std::uint64_t fetched_epoch() const { return core.transfer_.fetched_epoch(); }
    void on_ring_change(std::uint64_t before, bool was_member) {
      core.on_ring_change(before, was_member);
    }
    std::uint64_t untracked_id() { return core.next_id(RequestKind::untracked); }
    void log(LogLevel level, std::string_view event, std::string message,
             std::vector<LogField> fields = {}) const {
      core.log(level, event, std::move(message), std::move(fields));
    }
  };
  void on_ring_change(std::uint64_t before, bool was_member);
  const membership::RingView& view() const { return membership_.view(); }
  // Whether this node is a home replica of the partition in the current layout.
  bool replicates(std::uint32_t partition) const { return membership_.replicates_now(partition); }

  // Whether this node holds no home replica of the partition, in the current layout or the next.
  bool misplaced(std::uint32_t partition) const;


  // A request sent to `peer` `waited` ago went unanswered; 0: the transport cannot reach it.
  void suspect(const std::string& peer, std::chrono::milliseconds waited) {
    if (peers_.timed_out(peer, now(), waited)) {
      log(LogLevel::info, "peer_suspected",
          peer + (waited.count() > 0 ? " suspected: a request to it timed out"
                                     : " suspected: it cannot be reached"),
          {{"peer", peer}, {"reason", waited.count() > 0 ? "timeout" : "unreachable"}});
    }
  }
  wire::StatusReply status(std::uint64_t request_id) const;
  std::uint64_t next_id(RequestKind kind) { return ids_.next(kind); }
  void unmatched() { metrics_.unmatched_replies.add(); }
  metrics::PeerState peer_state(const std::string& peer) const;
  std::chrono::milliseconds now() const { return transport_.now(); }
  bool is_self(std::string_view node) const { return node == config_.name; }

  Config config_;
  std::string resolver_name_;
  // What the replica store tells this node of each change of a stored key.
  struct StoreHooks {
    NodeCore& core;
    void changed(ring::Position pos, std::string_view key, const Siblings& after) {
      core.transfer_.note_dirty(pos, key);
      core.tombstones_.note(key, after);
    }
  };
  ReplicaStore<S, StoreHooks> store_;
  T transport_;
  PeriodicJobs<T> jobs_{transport_};
  ActorId actor_;  // this incarnation's, new at every start (node_core.ipp)
  RequestIds ids_{0};  // every request id this node issues (in_flight.hpp)
  PeerTable peers_;
  static constexpr std::size_t max_awaiting_hello = 256;
  // Frames that overtook a peer's Hello, with when they arrived.
  std::map<std::string, std::vector<std::pair<std::chrono::milliseconds, wire::Message>>>
      awaiting_hello_;
  void halt();
  bool stopped_ = false;
  ReadHooks read_hooks_{*this};
  quorum::ReadCoordinator<ReadHooks> reads_;  // the gets this node coordinates
  WriteHooks write_hooks_{*this};
  WriteCoordinator<T, WriteHooks> writes_;  // the puts and removes this node coordinates
  ForwardHooks forward_hooks_{*this};
  Forwarder<T, ForwardHooks> forwards_;  // client requests passed on to their coordinator
  HandoffHooks handoff_hooks_{*this};
  HintedHandoff<T, HandoffHooks> handoff_;
  ExchangeHooks exchange_hooks_{*this};
  AntiEntropy<ExchangeHooks> anti_entropy_;  // Merkle tree exchanges with other replicas
  TombstoneHooks tombstone_hooks_{*this};
  TombstoneCollector<TombstoneHooks> tombstones_;  // the tombstones this node collects
  MembershipHooks membership_hooks_{*this};
  RingMembership<T, MembershipHooks> membership_;  // the ring, its gossip and its changes
  // What the range transfer does to the world, done by this node.
  struct TransferHooks {
    using Timers = T;
    NodeCore& core;
    const membership::RingView& view() const { return core.view(); }
    std::chrono::milliseconds now() const { return core.now(); }
    void send(const std::string& to, const wire::Message& message) { core.send(to, message); }
    bool usable(const std::string& peer) const { return core.usable(peer); }
    void suspect(const std::string& peer, std::chrono::milliseconds waited) {
      core.suspect(peer, waited);
    }
    bool ring_is_newest() const { return core.membership_.ring_is_newest(); }
    bool ring_seen_by_all(std::uint64_t epoch) const {
      return core.membership_.ring_seen_by_all(epoch);
    }
    bool replicates(std::uint32_t partition) const { return core.replicates(partition); }
    bool misplaced(std::uint32_t partition) const { return core.misplaced(partition); }
    ReplicaStore<S, StoreHooks>& store() { return core.store_; }
    const ReplicaStore<S, StoreHooks>& store() const { return core.store_; }
    void when_durable(std::function<void()> action) { core.when_durable(std::move(action)); }
    bool durability_pending() const { return core.store_.awaiting_durable() != 0; }
    void fetches_complete() {
      core.membership_.announce_self();
      core.membership_.maybe_complete_change();
    }
    void log(LogLevel level, std::string_view event, std::string message,
             std::vector<LogField> fields) const {
      core.log(level, event, std::move(message), std::move(fields));
    }
    metrics::NodeMetricsRecorder& metrics() { return core.metrics_; }
  };
  TransferHooks transfer_hooks_{*this};
  // Fetches for the change under way, what this node served, its handoff of misplaced keys.
  RangeTransfer<TransferHooks> transfer_{transfer_hooks_, config_, transport_, ids_};
  metrics::NodeMetricsRecorder metrics_;
  // Client requests served in the last two forward timeouts, so a duplicated one is not served
  // twice.
  RequestMemory recent_requests_{2 * config_.forward_timeout};
};

}  // namespace dynamo

#include "dynamo/node/impl/node_core.ipp"
#include "dynamo/node/impl/coordinator.ipp"
#include "dynamo/node/impl/replica.ipp"
#include "dynamo/node/impl/maintenance.ipp"
#include "dynamo/node/impl/gossip.ipp"
#include "dynamo/node/impl/membership.ipp"
#include "dynamo/node/impl/invariants.ipp"
