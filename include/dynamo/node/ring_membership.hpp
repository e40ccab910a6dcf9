#pragma once
// RingMembership: the ring this node holds and how it changes (the paper's sections 4.8 and 4.9,
// with Riak's claimant). It owns
// - the ring view (membership/ring_view.hpp) and its persistence in the storage's metadata;
// - the gossiped heartbeats of every member (membership/gossip_state.hpp), which also carry
//   each member's ring epoch and how far its fetches got: that is how rings spread and how
//   the claimant sees a change complete;
// - the claimant's work: planning a join or leave, completing it once every destination
//   fetched its partitions, each as a new ring epoch written by the claimant alone;
// - the host's change requests waiting out a change still spreading.
//
// When it takes a new ring it persists it, follows the new members and then calls the
// context's on_ring_change() once, where the node runs every other component's duties in a
// fixed order (node_core.hpp). It reaches the world only through its context
// (MembershipContext below).
//
// Thread safety: none; its node calls it from one executor.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "dynamo/concepts.hpp"
#include "dynamo/errc.hpp"
#include "dynamo/log_record.hpp"
#include "dynamo/membership/gossip_state.hpp"
#include "dynamo/membership/ring_view.hpp"
#include "dynamo/node/config.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/quorum/request_options.hpp"
#include "dynamo/ring/partition_planner.hpp"
#include "dynamo/wire/frame.hpp"
#include "dynamo/wire/messages.hpp"
#include "dynamo/wire/ring_document.hpp"

namespace dynamo {

template <class C>
concept MembershipContext = requires(C& c, const C& cc, const std::string& node,
                                     const wire::Message& message, std::string_view meta,
                                     std::string value, std::vector<std::string> names,
                                     std::function<void(const wire::Status&, const wire::Message*)>
                                         on_reply) {
  { cc.now() } -> std::same_as<std::chrono::milliseconds>;
  c.send(node, message);
  // Sends a request to the claimant and brings its answer back (the node's forwarder).
  c.forward(node, wire::Message{}, on_reply);
  { cc.usable(node) } -> std::same_as<bool>;
  { cc.is_down(node) } -> std::same_as<bool>;
  { cc.get_meta(meta) } -> std::same_as<std::optional<std::string>>;
  c.put_meta(meta, value);
  // The members changed: the transport learns their addresses, the peer table follows them.
  c.members_changed(names);
  c.heard_heartbeat(node);  // a member's heartbeat advanced
  // How far this node's own fetches for the change under way got (range transfer).
  { cc.fetched_epoch() } -> std::same_as<std::uint64_t>;
  // The ring changed from epoch `before`; `was_member`: this node was in the old ring.
  c.on_ring_change(std::uint64_t{}, bool{});
  { c.untracked_id() } -> std::same_as<std::uint64_t>;
  c.log(LogLevel::info, std::string_view{}, std::string{}, std::vector<LogField>{});
};

template <OneShotTimers Timers, MembershipContext Context>
class RingMembership {
 public:
  using ChangeCallback = std::function<void(std::error_code, MembershipResult)>;
  static constexpr int max_change_retries = 40;
  static constexpr std::chrono::milliseconds change_retry_delay{250};

  // `generation`: this incarnation's heartbeat generation (larger than any before it).
  RingMembership(Timers& timers, RequestIds& ids, Context& context, const Config& config,
                 std::uint64_t generation);

  // Takes the newest ring this node knows: the one in its storage (a node that joined or saw
  // changes must not fall back to the founders' list on a restart), else the founders' ring,
  // else none until gossip with a seed brings one. Throws std::invalid_argument when the stored
  // ring is of another cluster shape than the config describes.
  void load();

  const membership::RingView& view() const { return view_; }
  const membership::GossipState& gossip() const { return gossip_; }
  // When this node last took a new ring (tombstones wait a grace period after it).
  std::chrono::milliseconds ring_changed_at() const { return ring_changed_at_; }
  // This node was in a ring it held and is in the current one no more.
  bool left_ring() const {
    return was_member_ && view_.known() && !view_.contains(config_.name);
  }
  // Whether this node is a home replica of `partition` in the current layout, or in the
  // current or the next one (cached per ring: this is asked for every key a sweep visits).
  bool replicates_now(std::uint32_t partition) const {
    return partition < roles_.size() && (roles_[partition] & replica_now) != 0;
  }
  bool replicates_now_or_next(std::uint32_t partition) const {
    return partition < roles_.size() && roles_[partition] != 0;
  }
  // Whom this node gossips with: the ring's members and the seeds.
  std::vector<std::string> gossip_targets() const;

  // This round's heartbeat; the node then sends snapshot() to whom it picks.
  void beat() { gossip_.beat(); }
  std::vector<wire::MemberHeartbeat> snapshot() const { return gossip_.snapshot(); }
  void on_gossip(const std::string& from, const std::vector<wire::MemberHeartbeat>& members,
                 bool is_reply);
  void on_ring_request(const std::string& from, std::uint64_t request_id, std::uint32_t r);
  void on_ring_document(const std::string& from, wire::RingReply reply);
  // This node's fetches progressed: its heartbeat says so.
  void announce_self();

  // A client's or a member's MembershipChange, answered at once.
  void on_change_request(const std::string& from, const wire::MembershipChange& m);
  // The host's own request: a change still spreading is waited out, for up to ten seconds.
  void change(membership::ChangeRequest request, ChangeCallback done);
  // The claimant completes the change under way once every destination has fetched.
  void maybe_complete_change();
  // Whether every member not believed down holds at least this ring epoch, by its heartbeat.
  bool ring_seen_by_all(std::uint64_t epoch) const;
  // Whether no member's heartbeat announces a newer ring than ours.
  bool ring_is_newest() const;

  // Fails the host's waiting requests with `ec` (shutdown).
  void fail_all(std::error_code ec);
  std::size_t waiting_changes() const { return change_retries_.size(); }
  template <class Live>
  void check_invariants(Live live) const {
    change_retries_.check_invariants("membership retry", live);
  }

 private:
  struct Retry {
    membership::ChangeRequest request;
    ChangeCallback done;
    int attempt = 0;
  };
  void adopt(membership::RingView view);
  std::string ring_summary(std::uint64_t before, bool was_member) const;
  void persist();
  void follow_members();
  void push_ring(const std::string& to);
  void push_ring_to_all();
  void compare_ring_epochs(const std::string& from,
                           const std::vector<wire::MemberHeartbeat>& members);
  void retry_change(membership::ChangeRequest request, ChangeCallback done, int attempt);
  void request_change(membership::ChangeRequest request, ChangeCallback done);
  void apply_change(const membership::ChangeRequest& request, ChangeCallback done);
  std::uint64_t fetched_epoch_of(const std::string& node) const;
  bool is_self(std::string_view node) const { return node == config_.name; }

  Context& context_;
  const Config& config_;
  membership::RingView view_;
  membership::GossipState gossip_;
  InFlight<Timers, Retry> change_retries_;
  std::chrono::milliseconds ring_changed_at_{0};
  bool was_member_ = false;  // this node has been in a ring it held
  // Per partition of the current ring, whether this node is a home replica now and next.
  static constexpr std::uint8_t replica_now = 1;
  static constexpr std::uint8_t replica_next = 2;
  std::vector<std::uint8_t> roles_;
};

}  // namespace dynamo

#include "dynamo/node/impl/ring_membership.ipp"
