#pragma once
// The partition planner: decides which member owns which partition when a cluster is created and
// when a node joins or leaves. Every function is pure and deterministic (no randomness, and the
// order of the input members does not matter: members are sorted by name), so every node that
// plans from the same snapshot reaches the same assignment without further agreement.
//
// Each member's share of the Q partitions is proportional to its weight (largest-remainder
// rounding, ties to the smaller name). A join or leave moves only the partitions it must: those
// that go to the joiner, or those the leaver held.

#include <string_view>
#include <vector>

#include "dynamo/ring/member.hpp"
#include "dynamo/ring/ring_params.hpp"

namespace dynamo::ring {

// Returns `members` sorted by name with every partition of `params` assigned. Partitions are
// dealt around the ring by smooth weighted round-robin, first across zones (weighted by each
// zone's total weight) and then across the members of the chosen zone, so that consecutive
// partitions belong to different nodes and, where the weights allow, different zones. Each
// member receives Q * weight / total_weight partitions, give or take one.
// The members' incoming partitions are ignored.
// Throws std::invalid_argument for invalid params, no members, an empty or duplicate name, or a
// zero weight.
std::vector<Member> assign_initial(const RingParams& params, std::vector<Member> members);

// Returns `current` plus `joining`, sorted by name, where the joiner has taken its share of the
// partitions from the members furthest above their new share. Only partitions that move to the
// joiner change owner. The stolen partitions sit near evenly spaced points around the ring, as
// far from each other as the owners' quotas allow (so not neighbours), preferring neighbours in
// other zones. Freshly interleaved rings (assign_initial) of equal-weight nodes in one zone then
// keep the stronger law that a Ring's primaries change only by the joiner replacing a node.
// With several zones the zone-aware primaries may also shift between other nodes.
// `joining.partitions` is ignored.
// Throws std::invalid_argument if `current` is not a valid complete assignment of `params`, or if
// the joiner's name is empty, already present, or its weight is 0.
std::vector<Member> plan_join(const RingParams& params, std::vector<Member> current,
                              Member joining);

// Returns `current` without the member called `leaving`, sorted by name, its partitions handed to
// the remaining members furthest below their new share. Only the leaver's partitions change
// owner; each goes, where possible, to a member owning neither neighbouring partition, and
// nearby ones to the same member.
// Throws std::invalid_argument if `current` is not a valid complete assignment of `params`, has
// no member called `leaving`, or has no other member.
std::vector<Member> plan_leave(const RingParams& params, std::vector<Member> current,
                               std::string_view leaving);

}  // namespace dynamo::ring
