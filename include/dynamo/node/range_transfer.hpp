#pragma once
// RangeTransfer: moving data when the ring changes, as one component that owns its state.
//
// Fetching: a node that a change makes a replica of a partition fetches it, slice by slice,
// from the replica it replaces (membership::Transfer), once every live member holds the change's
// ring and one request timeout has passed (so writes coordinated with the older ring have
// landed; from then on every write also reaches the new replica). Chunks are merged and made
// durable before the next is asked for; transfer_concurrency partitions go at once, with
// transfer_interval between chunks. When all its partitions are in, the node announces it in its
// heartbeat (fetched_epoch), and the change can complete.
//
// Serving: a source answers whole slices, and remembers the slices it served in order to each
// requester; a key changed after its slice was served lands in a ledger of dirty keys.
//
// Handing off: a node holding keys of a partition it is no longer a replica of (a leaver, a
// replica a join displaced, a node restored from an old disk) drops them only once the
// partition's replicas hold them. Keys a destination fetched from it in full go at once, except
// the dirty ones; every other key is written to each of the partition's replicas and erased once
// all of them acknowledged and it is unchanged. Hints whose owner is no longer a replica of the
// key go the same way (start_relocation with the owner).
//
// It is sans-I/O: everything it does to the world goes through its owner's TransferContext.
// Thread safety: none; its owner calls it from one executor.

#include <algorithm>
#include <cassert>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamo/core/siblings.hpp"
#include "dynamo/log_record.hpp"
#include "dynamo/membership/ring_view.hpp"
#include "dynamo/metrics/node_metrics.hpp"
#include "dynamo/node/config.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/node/one_shot_timers.hpp"
#include "dynamo/ring/ring.hpp"
#include "dynamo/wire/frame.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo {

// What a RangeTransfer needs from its owner. Calls come from inside the component's own calls;
// the owner may call back into its public interface from fetches_complete() and from the
// store's change notifications (note_dirty), nothing else.
//  - Timers: the one-shot timers its request tables use (a Transport).
//  - view(): the ring the node holds now; now(): the node's clock.
//  - send(peer, message): a frame to a peer.
//  - usable(peer): whether a request to it is worth sending now; suspect(peer, waited): a
//    request sent `waited` ago went unanswered.
//  - ring_is_newest(): no member announces a newer ring; ring_seen_by_all(epoch): every member
//    not believed down holds at least that epoch.
//  - replicates(partition): this node is a home replica of it in the current layout;
//    misplaced(partition): ... in neither the current nor the next one.
//  - store(): the replica store (get, get_hint, merge, erase, erase_hint, storage()).
//  - when_durable(action): runs it once what was written so far is durable;
//    durability_pending(): some such action still waits.
//  - fetches_complete(): every partition of the change is in (announce it, maybe complete it).
//  - log(level, event, message, fields); metrics(): the node's counters.
template <class C>
concept TransferContext =
    OneShotTimers<typename C::Timers> &&
    requires(C& c, const C& cc, const std::string& peer, const wire::Message& message,
             std::chrono::milliseconds waited, std::uint32_t partition, std::uint64_t epoch,
             std::function<void()> action, std::string text) {
      { cc.view() } -> std::same_as<const membership::RingView&>;
      { cc.now() } -> std::same_as<std::chrono::milliseconds>;
      c.send(peer, message);
      { cc.usable(peer) } -> std::convertible_to<bool>;
      c.suspect(peer, waited);
      { cc.ring_is_newest() } -> std::convertible_to<bool>;
      { cc.ring_seen_by_all(epoch) } -> std::convertible_to<bool>;
      { cc.replicates(partition) } -> std::convertible_to<bool>;
      { cc.misplaced(partition) } -> std::convertible_to<bool>;
      c.store();
      cc.store().storage();
      c.when_durable(std::move(action));
      { cc.durability_pending() } -> std::convertible_to<bool>;
      c.fetches_complete();
      cc.log(LogLevel::info, std::string_view(), std::move(text), std::vector<LogField>{});
      { c.metrics() } -> std::same_as<metrics::NodeMetricsRecorder&>;
    };

template <TransferContext C>
class RangeTransfer {
 public:
  using Timers = typename C::Timers;

  // `config` (its name, request_timeout, transfer_* and limits) must outlive the component.
  RangeTransfer(C& context, const Config& config, Timers& timers, RequestIds& ids);

  // The node took a new ring (after computing its roles in it): fetches of partitions it no
  // longer needs stop, those it fetched for the change stay fetched if it still needs them; once
  // the ring is stable, what it served matters only for partitions it no longer replicates.
  void on_ring_change();
  // The periodic work: start the fetches the change under way asks of this node; hand off keys
  // of partitions it no longer replicates (once every live member holds its ring).
  void start_fetches();
  void relocate_misplaced();

  // Messages and answers, routed here by the owner.
  void on_partition_fetch(const std::string& from, const wire::PartitionFetch& m);
  void on_partition_chunk(const std::string& from, wire::PartitionChunk chunk);
  void on_relocation_ack(std::uint64_t id, const std::string& from, const wire::Status& status);
  // The store changed the key's stored siblings (the store's observer calls this).
  void note_dirty(ring::Position pos, std::string_view key);

  // Writes `sent` to every rightful replica of its key; the copy here (this node's own when
  // `hint_owner` is empty, else the hint kept for that owner) goes once all acknowledged and it
  // is unchanged. Does nothing unless every rightful replica is usable now.
  // REQUIRES: pos is the key's hash; !relocating(hint_owner, key).
  void start_relocation(std::string hint_owner, Key key, ring::Position pos, Siblings sent);
  bool relocating(const std::string& hint_owner, const Key& key) const {
    return relocating_.contains({hint_owner, key});
  }

  // Partitions this node must still fetch for the change under way.
  std::size_t fetches_left() const;
  // The newest ring epoch for which this node holds every partition its change gave it.
  std::uint64_t fetched_epoch() const { return fetched_epoch_; }
  std::size_t fetches_in_flight() const { return fetches_.size(); }
  std::size_t relocations_in_flight() const { return relocations_.size(); }
  std::size_t size() const { return fetches_.size() + relocations_.size(); }
  bool idle() const { return fetches_.empty() && relocations_.empty() && relocating_.empty(); }

  // Drops every request in flight and cancels their deadlines (the node stops).
  void halt();
  // Throws std::logic_error naming the broken rule: every request in flight has a live deadline
  // (`live(timer)`), except a fetch parked while the storage makes its chunk durable; fetches
  // ask one of their sources, at most transfer_concurrency at once; relocating_ lists exactly
  // the relocations in flight, and each still waits for someone.
  template <class Live>
  void check_invariants(Live live) const;

 private:
  struct FetchOp {
    std::uint32_t partition = 0;
    std::vector<std::string> sources;
    std::size_t source = 0;
    std::uint32_t slice = 0;
    // The request id of the PartitionFetch in flight, 0 between a chunk and the next ask: each
    // slice is asked under a new id, so a late chunk answering an earlier request (before a
    // timeout restarted the fetch) is no answer to this one.
    std::uint64_t asked = 0;
  };
  struct ServedFetch {
    std::uint32_t next_slice = 0;  // slices [0, next_slice) served in order to this requester
    bool complete = false;         // ... and the requester confirmed it holds them all
  };
  struct RelocationOp {
    std::string hint_owner;  // empty: this node's own copy; else a hint for that owner
    Key key;
    ring::Position pos;
    Siblings sent;
    std::set<std::string> waiting;
  };

  const membership::RingView& view() const { return context_.view(); }
  const ring::Ring& ring() const { return context_.view().current(); }
  std::chrono::milliseconds fetch_timeout() const { return 2 * config_.request_timeout; }
  void unmatched() { context_.metrics().unmatched_replies.add(); }

  void reconcile_fetches();
  void request_slice(std::uint64_t id);
  void on_fetch_deadline(std::uint64_t id);
  void finish_fetch(std::uint64_t id);
  bool relocate_partition(std::uint32_t partition, std::size_t& budget);
  bool handoff_confirmed(std::uint32_t partition) const;
  void on_relocation_deadline(std::uint64_t id);
  std::vector<std::string> rightful_replicas(std::uint32_t partition) const;

  C& context_;
  const Config& config_;
  RequestIds& ids_;  // the node's: each slice is asked under a fresh fetch id
  InFlight<Timers, FetchOp> fetches_;
  std::set<std::uint32_t> fetched_;  // partitions fetched for the change under way
  std::uint64_t fetched_epoch_ = 0;
  std::optional<std::chrono::milliseconds> all_have_ring_since_;
  std::map<std::pair<std::uint32_t, std::string>, ServedFetch> served_;  // (partition, requester)
  std::map<std::uint32_t, std::set<Key>> dirty_;  // keys changed after their slice was served
  InFlight<Timers, RelocationOp> relocations_;
  std::set<std::pair<std::string, Key>> relocating_;  // (hint owner, key) of each relocation
  std::uint32_t relocation_cursor_ = 0;
  bool may_hold_misplaced_ = false;  // false once a sweep found nothing to hand off
};

}  // namespace dynamo

#include "dynamo/node/impl/range_transfer.ipp"
