#include "dynamo/ring/partition_planner.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "membership.hpp"

namespace dynamo::ring {
namespace {

// Which member owns each partition, as indices into the name-sorted member list.
using Owners = std::vector<std::uint32_t>;
constexpr std::uint32_t no_owner = std::numeric_limits<std::uint32_t>::max();

// Smooth weighted round-robin (nginx's): every pick goes to the choice with the most credit.
// Over any run of total-weight picks, choice i is picked exactly weight_i times, evenly spread,
// which is what keeps consecutive partitions on different nodes.
class SmoothRoundRobin {
 public:
  void add(std::int64_t weight) {
    weights_.push_back(weight);
    credit_.push_back(0);
    total_ += weight;
  }

  std::size_t next() {
    std::size_t best = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      credit_[i] += weights_[i];
      if (credit_[i] > credit_[best]) best = i;
    }
    credit_[best] -= total_;
    return best;
  }

 private:
  std::vector<std::int64_t> weights_;
  std::vector<std::int64_t> credit_;
  std::int64_t total_ = 0;
};

// Each member's fair number of partitions: Q * weight / total weight by largest remainder, ties
// going to the smaller name, so the shares always sum to Q.
std::vector<std::uint32_t> fair_shares(std::uint32_t q, const std::vector<Member>& members) {
  std::uint64_t total = 0;
  for (const Member& m : members) total += m.weight;
  std::vector<std::uint32_t> shares(members.size());
  std::vector<std::pair<std::uint64_t, std::size_t>> remainders;
  std::uint32_t dealt = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::uint64_t scaled = std::uint64_t{q} * members[i].weight;
    shares[i] = static_cast<std::uint32_t>(scaled / total);
    dealt += shares[i];
    remainders.emplace_back(scaled % total, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::uint32_t k = 0; k < q - dealt; ++k) ++shares[remainders[k].second];
  return shares;
}

// Deals `count` units one at a time to whoever has the largest `need` (ties to the smaller
// index), decrementing it each time; returns how many units each received. Members whose need
// is nullopt receive nothing.
std::vector<std::uint32_t> deal_by_need(const std::vector<std::optional<std::int64_t>>& need,
                                        std::uint32_t count) {
  std::priority_queue<std::pair<std::int64_t, std::int64_t>> queue;  // (need, -index)
  for (std::size_t i = 0; i < need.size(); ++i) {
    if (need[i]) queue.emplace(*need[i], -static_cast<std::int64_t>(i));
  }
  std::vector<std::uint32_t> dealt(need.size(), 0);
  for (std::uint32_t k = 0; k < count && !queue.empty(); ++k) {
    auto [n, neg_index] = queue.top();
    queue.pop();
    ++dealt[static_cast<std::size_t>(-neg_index)];
    queue.emplace(n - 1, neg_index);
  }
  return dealt;
}

Owners owners_of(const RingParams& params, const std::vector<Member>& members) {
  Owners owner(params.partitions, no_owner);
  for (std::uint32_t i = 0; i < members.size(); ++i) {
    for (std::uint32_t p : members[i].partitions) owner[p] = i;
  }
  return owner;
}

std::vector<std::int64_t> counts_of(const Owners& owner, std::size_t n_members) {
  std::vector<std::int64_t> counts(n_members, 0);
  for (std::uint32_t o : owner) {
    if (o != no_owner) ++counts[o];
  }
  return counts;
}

void store_owners(const Owners& owner, std::vector<Member>& members) {
  for (Member& m : members) m.partitions.clear();
  for (std::uint32_t p = 0; p < owner.size(); ++p) members[owner[p]].partitions.push_back(p);
}

// Validates a complete snapshot and returns it sorted, with sorted partitions.
std::vector<Member> checked_snapshot(const RingParams& params, std::vector<Member> members) {
  validate(params);
  internal::throw_if(internal::sort_and_check_members(members));
  internal::throw_if(internal::check_assignment(params, members));
  return members;
}

std::uint32_t index_of(const std::vector<Member>& sorted, std::string_view name) {
  const std::optional<std::size_t> index = internal::find_by_name(sorted, name);
  if (!index) {
    throw std::invalid_argument("dynamo: no ring member called '" + std::string(name) + "'");
  }
  return static_cast<std::uint32_t>(*index);
}

// Chooses the partitions a joiner takes: one near each of `wanted` evenly spaced slots, from
// owners that still owe partitions (`quota`). Near a slot, a candidate scores higher the further
// it is from the joiner's partitions chosen so far (capped at the ideal spacing), then the more
// of its neighbours lie in other zones than the joiner's; ties go to the candidate nearest the
// slot. Were two of the joiner's partitions close, one preference-list walk could meet the joiner
// in place of two different nodes and push a third node out of the list; keeping them apart is
// what limits a join's data movement to the keys the joiner takes.
class JoinSelection {
 public:
  JoinSelection(const std::vector<Member>& members, std::uint32_t joiner, Owners& owner,
                std::vector<std::uint32_t> quota)
      : members_(members), joiner_(joiner), owner_(owner), quota_(std::move(quota)),
        q_(static_cast<std::uint32_t>(owner.size())) {}

  void take(std::uint32_t wanted) {
    if (wanted == 0) return;
    spacing_ = std::max<std::uint32_t>(1, q_ / wanted);
    radius_ = std::max<std::uint32_t>(1, spacing_ / 2);
    for (std::uint64_t k = 0; k < wanted; ++k) {
      const auto slot = static_cast<std::uint32_t>((2 * k + 1) * q_ / (2 * std::uint64_t{wanted}));
      const std::uint32_t p = best_near(slot);
      --quota_[owner_[p]];
      owner_[p] = joiner_;
      taken_.insert(p);
    }
  }

 private:
  using Score = std::pair<std::uint32_t, int>;

  std::uint32_t best_near(std::uint32_t slot) const {
    std::optional<std::uint32_t> best;
    Score best_score{};
    // Past the radius, the search widens until it has a candidate at least half the spacing
    // away from the joiner's other partitions (or has seen the whole ring): late in the
    // selection the owners near a slot may have no quota left. A candidate always exists
    // because the quotas add up to the number of slots.
    const auto good_enough = [&] { return best && best_score.first >= (spacing_ + 1) / 2; };
    for (std::uint32_t d = 0; d < q_ && !(d > radius_ && good_enough()); ++d) {
      for (std::uint32_t p : {(slot + d) % q_, (slot + q_ - d) % q_}) {
        if (owner_[p] == joiner_ || quota_[owner_[p]] == 0) continue;
        const Score s = score(p);
        if (!best || s > best_score) {
          best = p;
          best_score = s;
        }
      }
    }
    return *best;
  }

  Score score(std::uint32_t p) const {
    return {std::min(distance_to_taken(p), spacing_), other_zone_neighbours(p)};
  }

  std::uint32_t distance_to_taken(std::uint32_t p) const {
    if (taken_.empty()) return q_;
    const auto it = taken_.lower_bound(p);
    const std::uint32_t next = it == taken_.end() ? *taken_.begin() + q_ : *it;
    const std::uint32_t prev = it == taken_.begin() ? *taken_.rbegin() : *std::prev(it);
    const std::uint32_t before = prev <= p ? p - prev : p + q_ - prev;
    return std::min(next - p, before);
  }

  int other_zone_neighbours(std::uint32_t p) const {
    const std::string& zone = members_[joiner_].zone;
    int count = 0;
    for (std::uint32_t n : {(p + 1) % q_, (p + q_ - 1) % q_}) {
      if (members_[owner_[n]].zone != zone) ++count;
    }
    return count;
  }

  const std::vector<Member>& members_;
  std::uint32_t joiner_;
  Owners& owner_;
  std::vector<std::uint32_t> quota_;
  std::uint32_t q_;
  std::uint32_t spacing_ = 1;
  std::uint32_t radius_ = 1;
  std::set<std::uint32_t> taken_;
};

// Gives each orphaned partition, in ring order, to a receiver with quota left, preferring in
// turn: one that owns neither neighbour; the receiver of the previous orphan if that lies close
// behind (two nearby partitions of the leaver given to two different nodes could push a third
// node out of some preference list, moving more keys than the leave must); one whose zone
// differs from the neighbours'; the one with the most quota left, which spreads receivers out.
void hand_out(const std::vector<Member>& members, const std::vector<std::uint32_t>& orphans,
              std::vector<std::uint32_t> quota, Owners& owner) {
  const auto q = static_cast<std::uint32_t>(owner.size());
  // Half the mean distance between one node's partitions before the leave.
  const auto s_before = static_cast<std::uint32_t>(members.size() + 1);
  const std::uint32_t reach = std::max<std::uint32_t>(2, q / s_before / 2);
  std::optional<std::uint32_t> previous;
  for (std::uint32_t p : orphans) {
    const std::uint32_t keep = previous && p - *previous <= reach ? owner[*previous] : no_owner;
    const std::uint32_t left = owner[(p + q - 1) % q];
    const std::uint32_t right = owner[(p + 1) % q];
    const auto score = [&](std::uint32_t i) {
      const auto other_zone = [&](std::uint32_t n) {
        return n == no_owner || members[n].zone != members[i].zone ? 1 : 0;
      };
      return std::tuple{i != left && i != right, i == keep, other_zone(left) + other_zone(right),
                        quota[i]};
    };
    std::optional<std::uint32_t> best;
    for (std::uint32_t i = 0; i < members.size(); ++i) {
      if (quota[i] > 0 && (!best || score(i) > score(*best))) best = i;
    }
    owner[p] = *best;
    --quota[*best];
    previous = p;
  }
}

}  // namespace

std::vector<Member> assign_initial(const RingParams& params, std::vector<Member> members) {
  validate(params);
  if (members.empty()) throw std::invalid_argument("dynamo: a ring needs at least one member");
  internal::throw_if(internal::sort_and_check_members(members));

  std::map<std::string_view, std::vector<std::uint32_t>> zones;  // zone -> members, by name
  for (std::uint32_t i = 0; i < members.size(); ++i) {
    members[i].partitions.clear();
    zones[members[i].zone].push_back(i);
  }
  SmoothRoundRobin zone_turns;
  std::vector<std::vector<std::uint32_t>> zone_members;
  std::vector<SmoothRoundRobin> member_turns(zones.size());
  for (auto& [zone, indices] : zones) {
    std::int64_t zone_weight = 0;
    for (std::uint32_t i : indices) {
      member_turns[zone_members.size()].add(members[i].weight);
      zone_weight += members[i].weight;
    }
    zone_turns.add(zone_weight);
    zone_members.push_back(std::move(indices));
  }
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    const std::size_t z = zone_turns.next();
    members[zone_members[z][member_turns[z].next()]].partitions.push_back(p);
  }
  return members;
}

std::vector<Member> plan_join(const RingParams& params, std::vector<Member> current,
                              Member joining) {
  const std::string name = joining.name;
  joining.partitions.clear();
  current.push_back(std::move(joining));
  std::vector<Member> members = checked_snapshot(params, std::move(current));
  const std::uint32_t joiner = index_of(members, name);

  Owners owner = owners_of(params, members);
  const std::vector<std::uint32_t> shares = fair_shares(params.partitions, members);
  const std::vector<std::int64_t> counts = counts_of(owner, members.size());
  std::vector<std::optional<std::int64_t>> surplus(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i != joiner) surplus[i] = counts[i] - shares[i];
  }
  JoinSelection selection(members, joiner, owner, deal_by_need(surplus, shares[joiner]));
  selection.take(shares[joiner]);
  store_owners(owner, members);
  return members;
}

std::vector<Member> plan_leave(const RingParams& params, std::vector<Member> current,
                               std::string_view leaving) {
  std::vector<Member> members = checked_snapshot(params, std::move(current));
  const std::uint32_t leaver = index_of(members, leaving);
  if (members.size() == 1) {
    throw std::invalid_argument("dynamo: the last ring member cannot leave");
  }
  Owners owner = owners_of(params, members);
  members.erase(members.begin() + leaver);
  std::vector<std::uint32_t> orphans;
  for (std::uint32_t p = 0; p < owner.size(); ++p) {
    if (owner[p] == leaver) {
      owner[p] = no_owner;
      orphans.push_back(p);
    } else if (owner[p] > leaver) {
      --owner[p];
    }
  }
  const std::vector<std::uint32_t> shares = fair_shares(params.partitions, members);
  const std::vector<std::int64_t> counts = counts_of(owner, members.size());
  std::vector<std::optional<std::int64_t>> deficit(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) deficit[i] = shares[i] - counts[i];
  const auto n_orphans = static_cast<std::uint32_t>(orphans.size());
  hand_out(members, orphans, deal_by_need(deficit, n_orphans), owner);
  store_owners(owner, members);
  return members;
}

}  // namespace dynamo::ring
