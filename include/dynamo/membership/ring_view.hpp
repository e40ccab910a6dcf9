#pragma once
// The ring document (RingState, membership/ring_state.hpp) in its validated form (RingView).
//
// Membership follows the paper's strategy 3 with Riak's claimant: Q partitions are assigned to
// nodes by the deterministic planner (ring/partition_planner.hpp), and the assignment is one
// document with an epoch that grows with every change. One node, the claimant (the ring's
// lowest-named current member), writes every epoch, changes and their completions alike, so
// two documents of one epoch never exist. Gossip spreads the document: a node that sees a peer
// with a newer epoch asks it for its ring.
//
// A change is a transition: `next` holds the layout it moves to while `current` stays the layout
// reads use. During it, writes also go to the replicas `next` adds; each added replica fetches
// its partitions from the replica it replaces (transfers()); once every destination has fetched
// everything, the ring moves to epoch + 1 with current = next. Replicas that lost a partition
// hand its keys off before they drop them (node/range_transfer.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/membership/member_status.hpp"
#include "dynamo/membership/ring_state.hpp"
#include "dynamo/ring/member.hpp"
#include "dynamo/ring/ring.hpp"

namespace dynamo::membership {

// One partition replica a change adds: `destination` fetches `partition` from the first usable
// of `sources`: the replica it replaces where there is one, then the partition's other current
// replicas.
struct Transfer {
  std::uint32_t partition = 0;
  std::string destination;
  std::vector<std::string> sources;
  friend bool operator==(const Transfer&, const Transfer&) = default;
};

// A RingState whose layouts have been checked and turned into Rings. Immutable; regular.
class RingView {
 public:
  // No ring: a node that has not found its cluster yet. Every preference list is empty.
  RingView(const ring::RingParams& params, std::uint32_t replicas);

  // Checks a document from configuration, storage or a peer against this cluster's params and N.
  // Returns nullopt and says why in `why` if the epoch is 0, a layout is not a complete valid
  // assignment, or an address is listed twice.
  static std::optional<RingView> build(const ring::RingParams& params, std::uint32_t replicas,
                                       RingState state, std::string& why);

  const RingState& state() const { return state_; }
  std::uint64_t epoch() const { return state_.epoch; }
  bool known() const { return state_.epoch > 0; }
  bool stable() const { return state_.next.empty(); }
  const ring::Ring& current() const { return current_; }
  // The layout a change moves to; the current one when stable.
  const ring::Ring& next() const { return next_ ? *next_ : current_; }

  MemberStatus status_of(std::string_view name) const;
  // Whether the node is in the current or the next layout.
  bool contains(std::string_view name) const;
  // Every node in the current or the next layout, sorted.
  const std::vector<std::string>& names() const { return names_; }
  const std::string* address_of(std::string_view name) const;
  // The node that makes changes: the lowest-named member of the current layout.
  const std::string* claimant() const;

  // Whether `name` is a home replica of `partition` in the current or in the next layout.
  bool replicates_now(std::string_view name, std::uint32_t partition) const;
  bool replicates_next(std::string_view name, std::uint32_t partition) const;

  // Every replica the change adds, by partition; empty when stable.
  const std::vector<Transfer>& transfers() const { return transfers_; }
  // Whether some transfer goes to `name`.
  bool is_destination(std::string_view name) const;

 private:
  RingView(RingState state, ring::Ring current, std::optional<ring::Ring> next);

  RingState state_;
  ring::Ring current_;
  std::optional<ring::Ring> next_;
  std::vector<std::string> names_;
  std::vector<Transfer> transfers_;
};

// A membership change as an operator asks for it.
struct ChangeRequest {
  ChangeKind kind = ChangeKind::join;
  std::string name;
  std::string address;  // join only: where the node listens
  std::string zone;     // join only
  std::uint32_t weight = 1;  // join only
};

// What the claimant does with a request: a new document, or none when the request is refused
// (`detail` says why) or asks for what already holds (a repeated join or leave).
struct ChangePlan {
  std::optional<RingState> state;
  bool refused = false;
  std::string detail;
};

// Plans a join or leave on top of the view: from its next layout when a change is already under
// way, so a second change (or one that undoes a join whose node never came) folds into it.
// Refuses an empty name, a weight of 0, a join of a name already in the ring at another address,
// a leave of a name not in it, and a leave that would leave fewer than N members.
ChangePlan plan_change(const ring::RingParams& params, const RingView& view,
                       const ChangeRequest& request);

// The document that ends the view's change: epoch + 1, the next layout in use, and the addresses
// of nodes no longer in the ring dropped. REQUIRES: !view.stable().
RingState completed(const RingView& view);

}  // namespace dynamo::membership
