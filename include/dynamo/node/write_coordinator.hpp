#pragma once
// WriteCoordinator: the puts and removes a node coordinates (the paper's section 4.5 and 4.6).
// It versions the write, sends it to the first N usable nodes of the key's preference list
// (home replicas, fallbacks with the hint of the home replica they stand in for, and during a
// change the replicas the next layout adds), completes to its caller once W acknowledged, asks
// a spare for each silent target halfway to the deadline, and at the end keeps a hint for every
// owner no acknowledged target covered, so hinted handoff brings it the write later.
//
// It owns the writes in flight (one InFlight table, one deadline each). Everything else it needs
// comes through its context (WriteContext below): which nodes are usable, sending, the local
// replica, dots, the clock.
//
// Thread safety: none; its node calls it from one executor.

#include <cassert>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include "dynamo/concepts.hpp"
#include "dynamo/core/siblings.hpp"
#include "dynamo/errc.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/node/replica_plan.hpp"
#include "dynamo/quorum/request_options.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo {

// What the write coordinator does to the world, done by its node.
template <class C>
concept WriteContext = requires(C& c, const C& cc, const std::string& node,
                                std::chrono::milliseconds waited, const wire::Message& message,
                                const ReplicaTarget& target, ring::Position pos,
                                std::string_view key, const Siblings& siblings,
                                std::function<void()> action) {
  { cc.usable(node) } -> std::same_as<bool>;
  c.suspect(node, waited);
  { cc.is_self(node) } -> std::same_as<bool>;
  c.send(node, message);
  // This node's own copy: the target's replica or the hint it keeps for the target's owner.
  c.merge_local(target, pos, key, siblings);
  c.merge_into_hint(node, key, siblings);
  { cc.stored(pos, key) } -> std::same_as<std::optional<Siblings>>;
  c.when_durable(std::move(action));
  // This incarnation's actor, and a fresh random one (never 0) for a one-off dot.
  { cc.actor() } -> std::same_as<ActorId>;
  { c.one_off_actor() } -> std::same_as<ActorId>;
  { c.wall_clock_ms() } -> std::convertible_to<std::uint64_t>;
  c.unmatched();
};

template <OneShotTimers Timers, WriteContext Context>
class WriteCoordinator {
 public:
  using Done = SiblingsCallback;
  struct Settings {
    std::uint32_t n = 3;
    std::uint32_t w = 2;
    std::size_t max_clock_entries = VectorClock::default_max_entries;
    std::chrono::milliseconds request_timeout{1000};  // the hedge is at half of it
    std::string self;  // this node's name, which acknowledges its own copy
  };

  WriteCoordinator(Timers& timers, RequestIds& ids, Context& context, Settings settings)
      : context_(context),
        settings_(std::move(settings)),
        writes_(timers, ids, RequestKind::write, [this](std::uint64_t id) { on_deadline(id); }) {}

  // Coordinates a write of `value` (a remove when nullopt) to the targets of `plan`
  // (plan_replicas() of the key) and, during a change of `view`, to the replicas its next layout
  // adds. Completes `done` with unavailable at once when fewer than W targets are usable (W
  // home replicas for a strict write, in both layouts during a change), with invalid_request
  // when W exceeds N.
  void start(Key key, ReplicaPlan plan, const membership::RingView& view, VectorClock context,
             std::optional<Value> value, WriteOptions options, Done done);

  // `from` acknowledged write `id`: false when that matches no write in flight and target.
  bool on_ack(std::uint64_t id, const std::string& from);

  // Fails every write in flight with `ec` (shutdown), without keeping hints.
  void fail_all(std::error_code ec);
  std::size_t size() const { return writes_.size(); }
  // Throws std::logic_error on a write without a live deadline, one every target acknowledged
  // that is not finished, or one whose sibling set is not mutually concurrent. `stored` samples
  // the stored sets of the first few writes' keys.
  template <class Live>
  void check_invariants(Live live) const;

 private:
  struct WriteOp {
    Key key;
    ReplicaPlan plan;
    Siblings replicated;  // the coordinator's sibling set with the new version: what replicas get
    std::set<std::string> acked;
    QuorumReport report;
    // A strict write during a change needs W acknowledgements from the next layout's home
    // replicas too, so a strict read after the change still meets it.
    std::uint32_t next_required = 0;
    std::uint32_t next_replied = 0;
    Done done;
    bool hedged = false;  // the spares were asked (half the deadline passed)
  };
  static bool satisfied(const WriteOp& op) {
    return op.report.replied >= op.report.required && op.next_replied >= op.next_required;
  }
  void on_deadline(std::uint64_t id);
  void finish(std::uint64_t id);

  Context& context_;
  Settings settings_;
  std::uint64_t counter_ = 0;  // dots issued with this incarnation's actor, monotonic across keys
  InFlight<Timers, WriteOp> writes_;
};

}  // namespace dynamo

#include "dynamo/node/impl/write_coordinator.ipp"
