#include "dynamo/ring/ring.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "membership.hpp"

namespace dynamo::ring {
namespace {

// Returns "" or why (params, N, members) cannot form a ring; sorts the members on the way.
std::string find_problem(const RingParams& params, std::uint32_t replicas,
                         std::vector<Member>& members) {
  if (!is_valid(params)) {
    std::ostringstream os;
    os << "dynamo: invalid ring params " << params;
    return os.str();
  }
  if (replicas == 0) return "dynamo: the replica count N must be at least 1";
  if (members.empty()) return "dynamo: a ring needs at least one member";
  if (std::string problem = internal::sort_and_check_members(members); !problem.empty()) {
    return problem;
  }
  return internal::check_assignment(params, members);
}

// Fills the preference lists, one row of S nodes per partition (see Ring's class comment).
class PreferenceTable {
 public:
  PreferenceTable(std::uint32_t q, std::uint32_t replicas, const std::vector<Member>& members)
      : q_(q), s_(members.size()), owner_(q), zone_of_(s_), walk_(s_), chosen_(s_) {
    std::map<std::string_view, std::uint32_t> zone_ids;
    for (std::size_t i = 0; i < s_; ++i) {
      for (std::uint32_t p : members[i].partitions) owner_[p] = static_cast<NodeIndex>(i);
      zone_of_[i] = zone_ids.try_emplace(members[i].zone, zone_ids.size()).first->second;
    }
    zone_used_.resize(zone_ids.size());
    primaries_ = std::min<std::size_t>(replicas, s_);
    wanted_zones_ = std::min<std::size_t>(replicas, zone_ids.size());
    std::iota(walk_.begin(), walk_.end(), NodeIndex{0});
  }

  // Walking the ring backwards and moving each owner to the front keeps walk_ ordered by each
  // node's first partition clockwise from the current one. The first pass only primes walk_
  // with the wrap-around, so that the second sees partitions past the end of the ring too.
  std::vector<NodeIndex> compute() {
    std::vector<NodeIndex> table(std::size_t{q_} * s_);
    for (std::uint32_t p = q_; p-- > 0;) move_to_front(owner_[p]);
    for (std::uint32_t p = q_; p-- > 0;) {
      move_to_front(owner_[p]);
      write_row(table.data() + std::size_t{p} * s_);
    }
    return table;
  }

 private:
  void move_to_front(NodeIndex node) {
    const auto it = std::find(walk_.begin(), walk_.end(), node);
    std::rotate(walk_.begin(), it, it + 1);
  }

  // Marks the primaries: the first node of each new zone until wanted_zones_ zones are covered,
  // then the earliest unmarked nodes; writes them, then the rest, both in walk order.
  void write_row(NodeIndex* row) {
    std::size_t picked = 0;
    std::size_t zones = 0;
    for (NodeIndex n : walk_) {
      if (zones == wanted_zones_) break;
      if (!zone_used_[zone_of_[n]]) {
        zone_used_[zone_of_[n]] = true;
        chosen_[n] = true;
        ++zones;
        ++picked;
      }
    }
    for (NodeIndex n : walk_) {
      if (picked == primaries_) break;
      if (!chosen_[n]) {
        chosen_[n] = true;
        ++picked;
      }
    }
    for (NodeIndex n : walk_) {
      if (chosen_[n]) *row++ = n;
    }
    for (NodeIndex n : walk_) {
      if (!chosen_[n]) *row++ = n;
      chosen_[n] = false;
    }
    std::fill(zone_used_.begin(), zone_used_.end(), false);
  }

  std::uint32_t q_;
  std::size_t s_;
  std::vector<NodeIndex> owner_;
  std::vector<std::uint32_t> zone_of_;
  std::vector<NodeIndex> walk_;
  std::vector<bool> chosen_;
  std::vector<bool> zone_used_;
  std::size_t primaries_ = 0;
  std::size_t wanted_zones_ = 0;
};

}  // namespace

Ring::Ring(const RingParams& params, std::uint32_t replicas, std::vector<Member> members)
    : params_(params), replicas_(replicas), members_(std::move(members)),
      preferences_(PreferenceTable(params.partitions, replicas, members_).compute()) {}

std::optional<Ring> Ring::build(const RingParams& params, std::uint32_t replicas,
                                std::vector<Member> members, std::error_code& ec) {
  if (!find_problem(params, replicas, members).empty()) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return std::nullopt;
  }
  ec.clear();
  return Ring(params, replicas, std::move(members));
}

Ring Ring::build(const RingParams& params, std::uint32_t replicas, std::vector<Member> members) {
  internal::throw_if(find_problem(params, replicas, members));
  return Ring(params, replicas, std::move(members));
}

std::optional<NodeIndex> Ring::find(std::string_view name) const {
  const std::optional<std::size_t> index = internal::find_by_name(members_, name);
  if (!index) return std::nullopt;
  return static_cast<NodeIndex>(*index);
}

std::ostream& operator<<(std::ostream& os, const Ring& ring) {
  os << "Ring{" << ring.params() << ", N=" << ring.replicas() << ',';
  for (const Member& m : ring.members()) os << ' ' << m;
  return os << '}';
}

}  // namespace dynamo::ring
