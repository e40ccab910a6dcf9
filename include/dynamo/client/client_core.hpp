#pragma once
// ClientCore: the partition-aware client protocol without I/O of its own. It learns the ring
// from its seeds, asking all of them at once, and routes by it. Reads it coordinates itself by
// default (ReadCoordination::client, the paper's section 6.4): it asks R of the key's replicas,
// asks the others too if they are slow, merges the answers and repairs stale replicas. Writes,
// and reads with ReadCoordination::node, go straight to a home replica of the key, which
// coordinates them, so they take one hop. A node that does not answer within attempt_timeout,
// or that the transport reports unreachable, is passed over for the next candidate (the key's
// next home replica, or the next seed while no ring is known); the request ends at
// request_timeout. A coordinator's own answer, errors included, is passed on as it is.
//
// Thread safety: none; the Client front calls it from one executor.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dynamo/concepts.hpp"
#include "dynamo/client/client_config.hpp"
#include "dynamo/detail/measured.hpp"
#include "dynamo/errc.hpp"
#include "dynamo/membership/ring_view.hpp"
#include "dynamo/metrics/client_metrics.hpp"
#include "dynamo/quorum/peer_health.hpp"
#include "dynamo/quorum/request_options.hpp"
#include "dynamo/quorum/read_coordinator.hpp"
#include "dynamo/ring/ring.hpp"
#include "dynamo/wire/frame.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo {

template <Transport T>
class ClientCore {
 public:
  using GetCallback = SiblingsCallback;
  using WriteCallback = SiblingsCallback;

  ClientCore(ClientConfig config, std::string resolver_name, T transport);
  ~ClientCore();
  // Stops for good (client_core.ipp): pending requests fail with errc::shutdown, timers stop, the
  // transport closes if it can; later requests fail with errc::shutdown. Idempotent.
  void stop();
  bool stopped() const { return stopped_; }
  // Ready to serve: a node has answered with the ring, so requests go straight to coordinators.
  bool ready() const { return !stopped_ && ring_.has_value(); }
  ClientCore(const ClientCore&) = delete;
  ClientCore& operator=(const ClientCore&) = delete;

  using StatusCallback = std::function<void(std::error_code, wire::StatusReply)>;
  using ChangeCallback = std::function<void(std::error_code, MembershipResult)>;

  void get(Key key, ReadOptions options, GetCallback done);
  // Asks one node how it and its peers are (keys, hints, peer states), and with_metrics its
  // metrics in Prometheus' text format too (StatusReply::metrics).
  void status(const std::string& node, bool with_metrics, StatusCallback done);
  // Sends a join or leave to the ring's claimant (or, until the ring is known, to the seeds in
  // turn); a node that does not answer in time is passed over for the next, and an answer of
  // errc::ring_changing (the previous change is still spreading) is retried for ten seconds.
  void change_membership(membership::ChangeRequest request, ChangeCallback done);
  void put(Key key, const Context& context, Value value, WriteOptions options, WriteCallback done);
  void remove(Key key, const Context& context, WriteOptions options, WriteCallback done);

  const ClientConfig& config() const { return config_; }
  // How long one node is waited for before the next is asked (ClientConfig::attempt_timeout).
  std::chrono::milliseconds attempt_timeout() const { return effective_attempt_timeout(config_); }
  // What this client calls itself on the wire: config().name, '#' and 16 hex digits that differ
  // for every ClientCore, so replies never go to another client of the same name.
  const std::string& identity() const { return identity_; }
  // The source of its log records: its identity.
  const std::string& log_source() const { return identity_; }
  const std::optional<ring::Ring>& ring() const { return ring_; }
  // The ring document the client last took, addresses and any change under way included.
  const wire::RingReply& ring_document() const { return ring_document_; }
  T& transport() { return transport_; }
  // Replies that answered no request in flight: late (after a timeout or a retry), duplicated,
  // from a node that was not asked, or of another kind than the request. Each is dropped.
  std::uint64_t unmatched_replies() const { return metrics_.unmatched_replies.value(); }
  // Counters and latencies as they are now, gauges as of the last refresh_metrics() (each ring
  // refresh, and each ring taken). Safe from any thread, unlike everything else here.
  metrics::ClientMetrics metrics() const { return metrics_.snapshot(identity_); }
  // Publishes the gauges (ring, suspected nodes) for metrics().
  void refresh_metrics();
  // Checks what must hold between any two events (client_invariants.ipp): every request, status
  // query and membership change in flight holds a live timer, requests waiting for the ring are
  // in flight, the ring refresh is armed while running, nothing is in flight once stopped.
  // Returns if all hold; throws std::logic_error naming this client and the invariant otherwise.
  // O(requests in flight); the Simulator runs it after every event.
  void check_invariants() const;
  std::size_t pending() const {
    return requests_.size() + reads_.size() + status_queries_.size() + changes_.size();
  }

 private:
  // A request a node coordinates. Routed (given its candidates) once the first ring arrives or
  // the wait for one is over; candidates[0, attempt] have been asked, and any of them may answer.
  struct Request {
    wire::Message message;  // with request_id set
    Key routing_key;
    std::vector<std::string> candidates;
    std::size_t attempt = 0;
    bool is_read = false;
    GetCallback on_get;
    WriteCallback on_write;
    TimerId pass_over = 0;  // moves on from the candidate asked last
    TimerId deadline = 0;   // request_timeout after submission
    std::chrono::milliseconds deadline_at{0};
    bool refused = false;   // a candidate of this round answered unavailable
    std::optional<wire::Status> refusal;  // the latest unavailable answer, of any round
    std::uint32_t passed_over = 0;  // candidates given up on (QuorumReport::passed_over)
    bool asked(std::string_view node) const;
  };

  // What the read coordinator does to the world, done by this client (client_read.ipp).
  struct ReadHooks {
    ClientCore& core;
    std::optional<Siblings> ask(const std::string& node, std::uint64_t id, const Key& key,
                                std::uint64_t epoch) {
      core.send(node, wire::ReplicaRead{id, key, epoch});
      return std::nullopt;
    }
    // The client's suspicion comes from timeouts alone: every stand-in is worth a try.
    bool usable(const std::string&) const { return true; }
    void slow(const std::string& node, std::chrono::milliseconds waited) {
      core.health_.timed_out(node, core.transport_.now(), waited);
    }
    void silent(const std::string& node, std::chrono::milliseconds waited) {
      slow(node, waited);
      core.refresh_ring();  // the node may have left
    }
    void repair(const std::string& node, const Key& key, const Siblings& merged) {
      core.metrics_.read_repairs.add();
      core.send(node, wire::ReplicaWrite{++core.last_id_, key, merged});
    }
    TimerId schedule(std::chrono::milliseconds delay, std::function<void()> action) {
      return core.transport_.schedule(delay, std::move(action));
    }
    void cancel(TimerId timer) { core.transport_.cancel(timer); }
    std::uint64_t next_id() { return ++core.last_id_; }
  };

  void coordinate_read(Key key, ReadOptions options, GetCallback done);
  quorum::ReadPlan read_plan(std::string_view key, bool strict) const;
  void on_replica_read_reply(const std::string& from, wire::ReplicaReadReply reply);

  std::vector<std::string> candidates_for(std::string_view key) const;
  void submit(wire::Message message, bool is_read, std::string_view key, GetCallback on_get,
              WriteCallback on_write);
  void route(std::uint64_t id);
  void end_ring_wait();
  void attempt(std::uint64_t id);
  void pass_over(std::uint64_t id);
  void new_round(std::uint64_t id);
  void on_unreachable(std::string_view node);
  void expire(std::uint64_t id);
  void complete(std::uint64_t id, std::error_code ec, Siblings siblings,
                const wire::Status& status);
  void on_frame(std::string_view from, std::string_view bytes);
  void ask_for_ring();
  void refresh_ring();
  void take_ring(wire::RingReply reply);
  std::vector<std::string> ring_sources() const;
  std::vector<std::string> members_or_seeds() const;
  void probe_silent_suspects();
  void attempt_change(std::uint64_t id);
  void pass_over_change(std::uint64_t id);
  void send(const std::string& to, const wire::Message& message);
  void send_hello(const std::string& to);
  void unmatched() { metrics_.unmatched_replies.add(); }
  // Request routing, for a host that wants to see it: written to ClientConfig::log when
  // ClientConfig::trace_requests is set; builds nothing otherwise.
  void trace(std::uint64_t id, const Request& request, std::string_view event,
             std::string_view node = {}) const {
    if (!config_.trace_requests || !config_.log) return;
    LogRecord record{LogLevel::debug, identity_, "request_routing",
                     "request " + std::to_string(id) + " (" + request.routing_key + ") " +
                         std::string(event) + (node.empty() ? "" : " ") + std::string(node),
                     {{"request", std::to_string(id)}, {"key", request.routing_key}}};
    if (!node.empty()) record.fields.push_back({"node", std::string(node)});
    config_.log(record);
  }

  ClientConfig config_;
  std::string resolver_name_;
  T transport_;
  std::optional<ring::Ring> ring_;
  PeerHealth health_;
  std::set<std::string> hello_sent_;
  bool stopped_ = false;
  std::map<std::uint64_t, Request> requests_;
  ReadHooks read_hooks_{*this};
  quorum::ReadCoordinator<ReadHooks> reads_;  // the reads this client coordinates
  std::uint32_t read_quorum_ = 0;          // the nodes' default R, from their ring replies
  struct StatusQuery {
    std::string node;
    StatusCallback done;
    TimerId timer = 0;
  };
  std::map<std::uint64_t, StatusQuery> status_queries_;
  static constexpr std::chrono::milliseconds retry_round_delay{100};
  static constexpr std::size_t ring_refresh_fanout = 3;  // sources asked per ring refresh
  static constexpr int max_change_retries = 40;
  static constexpr std::chrono::milliseconds change_retry_delay{250};
  struct ChangeOp {
    wire::MembershipChange message;
    std::vector<std::string> candidates;
    std::size_t attempt = 0;
    int retries = 0;  // answers of errc::ring_changing so far
    ChangeCallback done;
    TimerId timer = 0;
  };
  std::map<std::uint64_t, ChangeOp> changes_;
  wire::RingReply ring_document_;
  std::uint64_t incarnation_;
  std::string identity_;  // the name this client's Hello gives: unique per instance
  std::uint64_t last_id_;
  metrics::ClientMetricsRecorder metrics_;
  std::size_t next_seed_ = 0;
  TimerId ring_timer_ = 0;
  // Until the first ring arrives (or attempt_timeout passes without one), requests wait here.
  bool ring_wait_over_ = false;
  TimerId ring_wait_timer_ = 0;
  std::vector<std::uint64_t> awaiting_ring_;
  std::optional<std::chrono::milliseconds> last_ring_request_;
};

}  // namespace dynamo

#include "dynamo/client/impl/client_core.ipp"
#include "dynamo/client/impl/client_read.ipp"
#include "dynamo/client/impl/client_requests.ipp"
#include "dynamo/client/impl/client_invariants.ipp"
