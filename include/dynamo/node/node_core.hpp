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

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
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
#include "dynamo/node/config.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/node/peer_table.hpp"
#include "dynamo/node/periodic_jobs.hpp"
#include "dynamo/node/range_transfer.hpp"
#include "dynamo/node/replica_store.hpp"
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
  const ring::Ring& ring() const { return view_.current(); }
  const membership::RingView& ring_view() const { return view_; }
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
    return writes_.size() + replays_.size() + transfer_.relocations_in_flight();
  }
  std::uint64_t malformed_frames() const { return metrics_.malformed_frames.value(); }
  // Answers that matched no request in flight by id, sender and type (late, duplicated or
  // misdirected): each was dropped. Acknowledgements of read repairs, which nothing waits for,
  // count here too.
  std::uint64_t unmatched_replies() const { return metrics_.unmatched_replies.value(); }
  // Client requests remembered so that a duplicate is not served twice, and the distinct
  // senders among them; both forget what is older than two forward timeouts.
  std::size_t remembered_requests() const { return recent_requests_.size(); }
  std::size_t remembered_senders() const { return senders_.size(); }
  // This node's view of every member's heartbeat (gossip.ipp), and whether it believes `peer`
  // has failed.
  const membership::GossipState& gossip_state() const { return gossip_; }
  bool is_down(const std::string& peer) const { return peers_.is_down(peer); }
  // Anti-entropy so far (anti_entropy.ipp).
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
  struct Target {
    std::string node;
    bool primary = false;
    std::string hint_owner;  // for a fallback: the home replica it stands in for
    // A replica the ring's next layout adds (during a membership change): it gets every write
    // but does not count towards W.
    bool pending = false;
    // Whose copy this target holds: the node itself, or for a fallback the owner it hints for.
    const std::string& owner() const { return primary || pending ? node : hint_owner; }
  };
  struct Plan {
    ring::Position pos;
    std::vector<Target> targets;  // the first N reachable nodes of the preference list
    std::vector<std::string> spares;  // the rest of the preference list, in order
    std::vector<std::string> uncovered;  // unreachable home replicas no fallback stands in for
    std::uint32_t reachable_primaries = 0;
    std::vector<std::string> next_primaries;  // during a change: the next layout's home replicas
  };
  struct WriteOp {
    Key key;
    Plan plan;
    Siblings replicated;  // the coordinator's sibling set with the new version: what replicas get
    std::set<std::string> acked;
    QuorumReport report;
    // A strict write during a change needs W acknowledgements from the next layout's home
    // replicas too, so a strict read after the change still meets it.
    std::uint32_t next_required = 0;
    std::uint32_t next_replied = 0;
    WriteCallback done;
    TimerId timer = 0;
    TimerId escalation = 0;
  };
  struct ForwardOp {
    std::string target;
    wire::MessageType answer = wire::MessageType::error;  // the reply type the request asks for
    wire::Message request;  // kept so it can be sent on elsewhere
    std::function<void(const wire::Status&, const wire::Message*)> on_reply;
    // Takes the request on when the target did not answer in time or could not be reached (to
    // the key's next home replica, or this node); empty: the request fails with a timeout.
    std::function<void(wire::Message)> reroute;
    TimerId timer = 0;
  };
  struct ReplayOp {
    std::string owner;
    Key key;
    Siblings sent;
    TimerId timer = 0;
  };
  struct TombstoneCheckOp {
    Key key;
    Siblings expected;
    std::set<std::string> waiting;
    TimerId timer = 0;
  };

  // coordinator.ipp
  Plan plan_for(std::string_view key) const;
  void add_pending_targets(Plan& plan) const;
  bool coordinates(std::string_view key) const;
  std::optional<std::string> forward_target(std::string_view key,
                                            const std::set<std::string>& tried) const;
  void coordinate_get(Key key, ReadOptions options, GetCallback done);
  void coordinate_write(Key key, VectorClock context, std::optional<Value> value,
                        WriteOptions options, WriteCallback done);
  std::vector<Target> replace_silent(Plan& plan, const std::set<std::string>& answered);
  // What the read coordinator does to the world, done by this node (coordinator.ipp).
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
  void on_write_ack(std::uint64_t id, const std::string& from);
  bool write_satisfied(const WriteOp& op) const;
  void finish_write(std::uint64_t id);
  template <class Reply>
  void forward_for_siblings(const std::string& target, wire::Message request,
                            SiblingsCallback done, std::function<void(wire::Message)> reroute);
  void forward(const std::string& target, wire::Message request,
               std::function<void(const wire::Status&, const wire::Message*)> on_reply,
               std::function<void(wire::Message)> reroute = {});
  void forward_failed(std::uint64_t id, bool silent);
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
  bool first_delivery(const std::string& from, std::uint64_t request_id);
  Siblings local_read(std::string_view key) const;
  void merge_local(const Target& target, ring::Position pos, std::string_view key,
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
  void on_gossip(const std::string& from, const std::vector<wire::MemberHeartbeat>& members,
                 bool is_reply);
  void heard_heartbeat(const std::string& peer);
  void detect_failures();
  // Whether a coordinator should try the node now: not suspected after a timeout, not believed
  // down by the failure detector, not refused at handshake.
  bool usable(const std::string& node) const;

  // anti_entropy.ipp: Merkle trees per partition and the exchange that compares them
  struct ExchangeOp {
    std::string peer;
    std::uint32_t partition = 0;
    TimerId timer = 0;
    // What the exchange waits for: a TreeCompareReply of this level, or (once the LeafSync is
    // sent) the LeafSyncReply. Anything else with its id is a late or duplicated answer.
    std::uint8_t reply_level = 1;
    bool syncing = false;
  };
  void start_exchange();
  void finish_exchange(std::uint64_t id);
  bool replicates(std::uint32_t partition) const;
  std::vector<wire::KeyVersions> keys_in_leaves(const antientropy::MerkleTree& tree,
                                                const std::vector<std::uint32_t>& leaves) const;
  void on_tree_compare(const std::string& from, const wire::TreeCompare& m);
  void on_tree_compare_reply(const std::string& from, const wire::TreeCompareReply& m);
  void on_leaf_sync(const std::string& from, wire::LeafSync m);
  void on_leaf_sync_reply(const std::string& from, wire::LeafSyncReply m);
  bool repair_from(std::uint32_t partition, const wire::KeyVersions& entry);

  // maintenance.ipp: durability of acknowledgements, storage maintenance, hinted handoff and
  // tombstone collection
  void when_durable(std::function<void()> action);
  void release_durable();
  void start_jobs();
  void replay_hints();
  void on_replay_ack(std::uint64_t id, const std::string& from, const wire::Status& status);
  bool rightful_owner(const std::string& owner, std::string_view key) const;
  void note_tombstones(std::string_view key, const Siblings& stored);
  void sweep_tombstones();
  void start_tombstone_check(const Key& key, const Siblings& expected);
  void on_tombstone_check_reply(std::uint64_t id, const std::string& from,
                                const wire::TombstoneCheckReply& reply);
  void collect_tombstone(std::uint64_t id);
  bool holds_hint_for(std::string_view key) const;

  // membership.ipp: the ring document, its gossip, changes and their completion
  void load_ring();
  void adopt(membership::RingView view);
  std::string ring_summary(std::uint64_t before, bool was_member) const;
  void persist_ring();
  void learn_addresses();
  void follow_members();
  void announce_self();
  void push_ring(const std::string& to);
  void push_ring_to_all();
  void on_ring_document(const std::string& from, wire::RingReply reply);
  void compare_ring_epochs(const std::string& from, const std::vector<wire::MemberHeartbeat>& members);
  void handle_membership_change(const std::string& from, const wire::MembershipChange& m);
  void request_change(membership::ChangeRequest request, ChangeCallback done);
  void retry_change(membership::ChangeRequest request, ChangeCallback done, int attempt);
  static constexpr int max_change_retries = 40;
  static constexpr std::chrono::milliseconds change_retry_delay{250};
  void apply_change(const membership::ChangeRequest& request, ChangeCallback done);
  void maybe_complete_change();
  bool ring_seen_by_all(std::uint64_t epoch) const;
  bool ring_is_newest() const;
  std::uint64_t fetched_epoch_of(const std::string& node) const;
  std::vector<std::string> gossip_targets() const;
  void rescan_tombstones();
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
  membership::RingView view_;
  // What the replica store tells this node of each change of a stored key.
  struct StoreHooks {
    NodeCore& core;
    void changed(ring::Position pos, std::string_view key, const Siblings& after) {
      core.transfer_.note_dirty(pos, key);
      core.note_tombstones(key, after);
    }
  };
  ReplicaStore<S, StoreHooks> store_;
  T transport_;
  PeriodicJobs<T> jobs_{transport_};
  ActorId actor_;
  std::uint64_t counter_ = 0;  // dots issued by this incarnation, monotonic across keys
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
  std::map<std::uint64_t, WriteOp> writes_;
  std::map<std::uint64_t, ForwardOp> forwards_;
  std::map<std::uint64_t, ReplayOp> replays_;
  std::set<std::pair<std::string, Key>> replaying_;
  std::map<std::string, std::uint64_t> delivered_;  // hints acknowledged since the last log line
  std::map<std::uint64_t, TombstoneCheckOp> tombstone_checks_;
  std::set<Key> tombstone_candidates_;
  membership::GossipState gossip_;
  std::map<std::uint64_t, ExchangeOp> exchanges_;            // at most one in flight
  std::uint32_t exchange_cursor_ = 0;                        // the next partition to compare
  std::uint64_t exchange_rounds_ = 0;
  // Acknowledgements waiting for the storage to make a write durable: (write_seq, send it).
  std::deque<std::pair<std::uint64_t, std::function<void()>>> awaiting_durable_;
  // Membership: when the ring last changed (tombstones wait a grace period after a change).
  std::chrono::milliseconds ring_changed_at_{0};
  // What the range transfer does to the world, done by this node.
  struct TransferHooks {
    using Timers = T;
    NodeCore& core;
    const membership::RingView& view() const { return core.view_; }
    std::chrono::milliseconds now() const { return core.now(); }
    void send(const std::string& to, const wire::Message& message) { core.send(to, message); }
    bool usable(const std::string& peer) const { return core.usable(peer); }
    void suspect(const std::string& peer, std::chrono::milliseconds waited) {
      core.suspect(peer, waited);
    }
    bool ring_is_newest() const { return core.ring_is_newest(); }
    bool ring_seen_by_all(std::uint64_t epoch) const { return core.ring_seen_by_all(epoch); }
    bool replicates(std::uint32_t partition) const { return core.replicates(partition); }
    bool misplaced(std::uint32_t partition) const { return core.misplaced(partition); }
    ReplicaStore<S, StoreHooks>& store() { return core.store_; }
    const ReplicaStore<S, StoreHooks>& store() const { return core.store_; }
    void when_durable(std::function<void()> action) { core.when_durable(std::move(action)); }
    bool durability_pending() const { return !core.awaiting_durable_.empty(); }
    void fetches_complete() {
      core.announce_self();
      core.maybe_complete_change();
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
  // Per partition, whether this node is a home replica in the current and the next layout.
  static constexpr std::uint8_t replica_now = 1;
  static constexpr std::uint8_t replica_next = 2;
  std::vector<std::uint8_t> roles_;
  // The host's membership requests waiting to ask the claimant again: (timer, request).
  std::map<std::uint64_t,
           std::pair<TimerId, std::pair<membership::ChangeRequest, ChangeCallback>>>
      change_retries_;
  bool was_member_ = false;         // this node has been in a ring it holds
  metrics::NodeMetricsRecorder metrics_;
  // Client requests served in the last two forward timeouts, by (sender number, request id), so
  // a duplicated one is not served twice. Senders are numbered so that an entry holds no string
  // (this runs on every client request); the set is only looked up, never iterated. A sender is
  // forgotten with its last remembered request, so clients that come and go leave nothing.
  using SeenRequest = std::pair<std::uint64_t, std::uint64_t>;
  struct SeenRequestHash {
    std::size_t operator()(const SeenRequest& r) const noexcept {
      return std::hash<std::uint64_t>{}((r.second * 0x9E3779B97F4A7C15ULL) ^ r.first);
    }
  };
  struct Sender {
    std::uint64_t number = 0;
    std::size_t remembered = 0;  // entries of recent_requests_ from this sender
  };
  using SenderMap = std::map<std::string, Sender, std::less<>>;
  struct RecentRequest {
    std::chrono::milliseconds at;
    SeenRequest request;
    typename SenderMap::iterator sender;
  };
  SenderMap senders_;
  std::uint64_t next_sender_number_ = 0;
  std::unordered_set<SeenRequest, SeenRequestHash> seen_requests_;
  std::deque<RecentRequest> recent_requests_;
};

}  // namespace dynamo

#include "dynamo/node/impl/node_core.ipp"
#include "dynamo/node/impl/coordinator.ipp"
#include "dynamo/node/impl/replica.ipp"
#include "dynamo/node/impl/maintenance.ipp"
#include "dynamo/node/impl/gossip.ipp"
#include "dynamo/node/impl/anti_entropy.ipp"
#include "dynamo/node/impl/membership.ipp"
#include "dynamo/node/impl/invariants.ipp"
