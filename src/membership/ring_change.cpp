// Planning membership changes on the ring document: what the claimant does with a join or leave,
// and the document that ends a change.

#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "dynamo/membership/ring_view.hpp"
#include "dynamo/ring/partition_planner.hpp"

namespace dynamo::membership {
namespace {

const ring::Member* find(const std::vector<ring::Member>& layout, std::string_view name) {
  const auto it = std::ranges::find(layout, name, &ring::Member::name);
  return it == layout.end() ? nullptr : &*it;
}

ChangePlan refuse(std::string why) { return ChangePlan{std::nullopt, true, std::move(why)}; }
ChangePlan unchanged(std::string what) { return ChangePlan{std::nullopt, false, std::move(what)}; }

void set_address(std::vector<MemberAddress>& addresses, const std::string& name,
                 const std::string& address) {
  if (address.empty()) return;
  const auto it = std::ranges::find(addresses, name, &MemberAddress::name);
  if (it != addresses.end()) {
    it->address = address;
  } else {
    addresses.push_back({name, address});
    std::ranges::sort(addresses, {}, &MemberAddress::name);
  }
}

// The document with `target` as the layout to move to; stable again if it is the current one.
RingState with_next(const RingView& view, std::vector<ring::Member> target) {
  RingState state = view.state();
  ++state.epoch;
  std::ranges::sort(target, {}, &ring::Member::name);
  state.next = target == state.current ? std::vector<ring::Member>{} : std::move(target);
  return state;
}

std::string moved(const RingState& state, const ring::RingParams& params, std::uint32_t replicas) {
  std::string why;
  const auto next = RingView::build(params, replicas, state, why);
  const std::size_t count = next ? next->transfers().size() : 0;
  return std::to_string(count) + " partition replica(s) move";
}

ChangePlan plan_join(const ring::RingParams& params, const RingView& view,
                     const ChangeRequest& request, const std::vector<ring::Member>& base) {
  if (request.weight == 0) return refuse("a joining node needs a weight of at least 1");
  if (find(base, request.name)) {
    const std::string* address = view.address_of(request.name);
    if (request.address.empty() || !address || *address == request.address) {
      return unchanged(request.name + " is already a member");
    }
    return refuse(request.name + " is already a member, at " + *address);
  }
  if (base.size() >= max_ring_members) {
    return refuse("the ring already has " + std::to_string(base.size()) + " members, the most it can have");
  }
  std::vector<ring::Member> target;
  try {
    target = ring::plan_join(params, base, ring::Member{request.name, request.zone,
                                                        request.weight, {}});
  } catch (const std::invalid_argument& e) {
    return refuse(e.what());
  }
  RingState state = with_next(view, std::move(target));
  set_address(state.addresses, request.name, request.address);
  const ring::Member* joined = find(state.next.empty() ? state.current : state.next, request.name);
  const std::size_t taken = joined ? joined->partitions.size() : 0;
  std::string detail = request.name + " joins with weight " + std::to_string(request.weight) +
                       ": it takes " + std::to_string(taken) + " of " +
                       std::to_string(params.partitions) + " partitions, " +
                       moved(state, params, view.current().replicas());
  return ChangePlan{std::move(state), false, std::move(detail)};
}

ChangePlan plan_leave(const ring::RingParams& params, const RingView& view,
                      const ChangeRequest& request, const std::vector<ring::Member>& base) {
  const std::uint32_t replicas = view.current().replicas();
  if (!find(base, request.name)) {
    if (find(view.state().current, request.name)) return unchanged(request.name + " is already leaving");
    return refuse(request.name + " is not a member of the ring");
  }
  if (base.size() <= replicas) {
    return refuse(request.name + " cannot leave: the ring would keep " +
                  std::to_string(base.size() - 1) + " member(s), fewer than N = " +
                  std::to_string(replicas));
  }
  std::vector<ring::Member> target;
  try {
    target = ring::plan_leave(params, base, request.name);
  } catch (const std::invalid_argument& e) {
    return refuse(e.what());
  }
  RingState state = with_next(view, std::move(target));
  std::string detail = request.name + " leaves: its " +
                       std::to_string(find(base, request.name)->partitions.size()) +
                       " partitions go to the others, " + moved(state, params, replicas) +
                       ", and it hands its keys off before it goes";
  return ChangePlan{std::move(state), false, std::move(detail)};
}

}  // namespace

ChangePlan plan_change(const ring::RingParams& params, const RingView& view,
                       const ChangeRequest& request) {
  if (!view.known()) return refuse("this node has no ring yet");
  if (request.name.empty()) return refuse("a membership change needs a node name");
  if (request.kind == ChangeKind::join && !ring::valid_node_name(request.name)) {
    return refuse("node names cannot contain '#' (clients use it on the wire): " + request.name);
  }
  const std::vector<ring::Member>& base = view.stable() ? view.state().current : view.state().next;
  switch (request.kind) {
    case ChangeKind::join: return plan_join(params, view, request, base);
    case ChangeKind::leave: return plan_leave(params, view, request, base);
  }
  return refuse("unknown kind of membership change");
}

RingState completed(const RingView& view) {
  RingState state = view.state();
  ++state.epoch;
  state.current = std::move(state.next);
  state.next.clear();
  std::erase_if(state.addresses, [&](const MemberAddress& a) {
    return !find(state.current, a.name);
  });
  return state;
}

std::ostream& operator<<(std::ostream& os, ChangeKind kind) {
  switch (kind) {
    case ChangeKind::join: return os << "join";
    case ChangeKind::leave: return os << "leave";
  }
  return os << "kind(" << static_cast<unsigned>(kind) << ')';
}

}  // namespace dynamo::membership
