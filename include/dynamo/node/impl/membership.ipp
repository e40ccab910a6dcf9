#pragma once
// What a new ring means for each of the node's components, in one place and in a fixed order;
// and the hooks through which ring membership (ring_membership.hpp) reaches the node.

namespace dynamo {

// The duties of a ring change, in this order (ring membership has persisted the ring and
// followed its members before, and announces the new epoch after):
//  1. the replica store keeps the Merkle trees of the partitions this node still replicates;
//  2. range transfer forgets what it served for partitions it holds again, and stops fetches
//     of partitions it no longer needs; misplaced keys are looked for again;
//  3. tombstone collection re-scans its candidates (the first home replica collects).
template <Storage S, Transport T>
void NodeCore<S, T>::on_ring_change(std::uint64_t, bool) {
  store_.keep_trees_if([&](std::uint32_t partition) { return replicates(partition); });
  transfer_.on_ring_change();
  tombstones_.rescan();
}

// Transports that dial by address learn the members' addresses from the ring; the peer table's
// failure detectors follow the members.
template <Storage S, Transport T>
void NodeCore<S, T>::MembershipHooks::members_changed(const std::vector<std::string>& names) {
  if constexpr (PeerDirectory<T>) {
    for (const wire::MemberAddress& a : core.view().state().addresses) {
      if (!core.is_self(a.name)) core.transport_.add_peer(a.name, a.address);
    }
  }
  core.peers_.follow(names, core.now());
}

template <Storage S, Transport T>
void NodeCore<S, T>::MembershipHooks::heard_heartbeat(const std::string& peer) {
  if (core.peers_.heard_heartbeat(peer, core.now())) {
    core.log(LogLevel::info, "peer_up", peer + " is up again: its heartbeat advanced",
             {{"peer", peer}});
  }
}

// The host's own request (Node::async_join, async_leave).
template <Storage S, Transport T>
void NodeCore<S, T>::change_membership(membership::ChangeRequest request, ChangeCallback done) {
  if (stopped_) return done(make_error_code(errc::shutdown), {});
  membership_.change(std::move(request), std::move(done));
}

template <Storage S, Transport T>
bool NodeCore<S, T>::has_left() const {
  return membership_.left_ring() && storage().size() == 0 && storage().hint_count() == 0 &&
         transfer_.relocations_in_flight() == 0;
}

// The ring questions anti-entropy and tombstone collection ask, in the current layout.
template <Storage S, Transport T>
std::vector<std::string> NodeCore<S, T>::ExchangeHooks::other_replicas(
    std::uint32_t partition) const {
  std::vector<std::string> others;
  for (const ring::NodeIndex i : core.ring().primaries(partition)) {
    const std::string& name = core.ring().member(i).name;
    if (!core.is_self(name)) others.push_back(name);
  }
  return others;
}

template <Storage S, Transport T>
bool NodeCore<S, T>::misplaced(std::uint32_t partition) const {
  return view().known() && !membership_.replicates_now_or_next(partition);
}

template <Storage S, Transport T>
std::vector<std::string> NodeCore<S, T>::TombstoneHooks::home_replicas(
    std::string_view key) const {
  std::vector<std::string> replicas;
  for (const ring::NodeIndex i : core.ring().primaries_for_key(key)) {
    replicas.push_back(core.ring().member(i).name);
  }
  return replicas;
}

template <Storage S, Transport T>
template <class Visit>
void NodeCore<S, T>::TombstoneHooks::for_each_stored(Visit visit) const {
  core.storage().for_each_in_range({{0, 0}, {~0ULL, ~0ULL}},
                                   [&](ring::Position, std::string_view key, const Siblings& s) {
                                     visit(key, s);
                                   });
}

}  // namespace dynamo
