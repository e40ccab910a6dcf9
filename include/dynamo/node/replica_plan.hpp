#pragma once
// ReplicaPlan: which nodes a coordinator asks for one key, and for whom each stands (the paper's
// sloppy quorum, section 4.6). Pure functions of the ring and of which nodes are usable now;
// the write coordinator and the read path both start from plan_replicas().

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "dynamo/membership/ring_view.hpp"
#include "dynamo/ring/ring.hpp"

namespace dynamo {

struct ReplicaTarget {
  std::string node;
  bool primary = false;
  std::string hint_owner;  // for a fallback: the home replica it stands in for
  // A replica the ring's next layout adds (during a membership change): it gets every write
  // but does not count towards W.
  bool pending = false;
  // Whose copy this target holds: the node itself, or for a fallback the owner it hints for.
  const std::string& owner() const { return primary || pending ? node : hint_owner; }
};

struct ReplicaPlan {
  ring::Position pos;
  std::vector<ReplicaTarget> targets;  // the first N reachable nodes of the preference list
  std::vector<std::string> spares;     // the rest of the preference list, in order
  std::vector<std::string> uncovered;  // unreachable home replicas no fallback stands in for
  std::uint32_t reachable_primaries = 0;
  std::vector<std::string> next_primaries;  // during a change: the next layout's home replicas
};

// Walks the preference list of the key at `pos`: the first `n` usable nodes are the targets.
// Each fallback among them stands in for the next unusable home replica, whose hint it will keep.
template <class Usable>
ReplicaPlan plan_replicas(const ring::Ring& ring, std::uint32_t n, ring::Position pos,
                          Usable&& usable) {
  ReplicaPlan plan;
  plan.pos = pos;
  const auto preference = ring.preference_list(ring.partition_of(pos));
  const std::size_t wanted = std::min<std::size_t>(n, preference.size());
  std::vector<std::string> missing_primaries;
  for (std::size_t i = 0; i < preference.size() && plan.targets.size() < wanted; ++i) {
    const std::string& node = ring.member(preference[i]).name;
    const bool primary = i < wanted;
    const bool reachable = usable(node);
    if (!reachable || (!primary && missing_primaries.empty())) {
      if (primary) missing_primaries.push_back(node);
      continue;
    }
    ReplicaTarget target{node, primary, {}};
    if (!primary) {
      target.hint_owner = missing_primaries.front();
      missing_primaries.erase(missing_primaries.begin());
    }
    plan.reachable_primaries += primary ? 1 : 0;
    plan.targets.push_back(std::move(target));
  }
  plan.uncovered = std::move(missing_primaries);
  for (std::size_t i = wanted; i < preference.size(); ++i) {
    const std::string& node = ring.member(preference[i]).name;
    if (std::ranges::find(plan.targets, node, &ReplicaTarget::node) == plan.targets.end()) {
      plan.spares.push_back(node);
    }
  }
  return plan;
}

// During a membership change, writes also go to the home replicas the next layout adds, which
// are fetching the partition: whatever they miss of the fetch they get as it is written.
template <class Usable>
void add_pending_targets(ReplicaPlan& plan, const membership::RingView& view, Usable&& usable) {
  if (view.stable()) return;
  const std::uint32_t partition = view.current().partition_of(plan.pos);
  const ring::Ring& next = view.next();
  for (const ring::NodeIndex i : next.primaries(partition)) {
    const std::string& node = next.member(i).name;
    plan.next_primaries.push_back(node);
    if (view.replicates_now(node, partition) || !usable(node)) continue;
    if (std::ranges::find(plan.targets, node, &ReplicaTarget::node) != plan.targets.end()) continue;
    plan.targets.push_back(ReplicaTarget{node, false, {}, true});
  }
}

// Each target not in `answered` is reported silent (`silent(node)`) and, where a spare of the
// preference list is usable, replaced by it: the spare stands in for the silent target's owner.
// Returns the targets added (already appended to the plan).
template <class Usable, class Silent>
std::vector<ReplicaTarget> replace_silent(ReplicaPlan& plan, const std::set<std::string>& answered,
                                          Usable&& usable, Silent&& silent) {
  std::vector<ReplicaTarget> added;
  const std::size_t original = plan.targets.size();
  for (std::size_t i = 0; i < original; ++i) {
    const ReplicaTarget target = plan.targets[i];
    if (answered.contains(target.node)) continue;
    silent(target.node);
    while (!plan.spares.empty()) {
      std::string spare = std::move(plan.spares.front());
      plan.spares.erase(plan.spares.begin());
      if (!usable(spare)) continue;
      added.push_back(ReplicaTarget{std::move(spare), false, target.owner()});
      plan.targets.push_back(added.back());
      break;
    }
  }
  return added;
}

}  // namespace dynamo
