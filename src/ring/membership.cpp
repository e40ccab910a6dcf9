#include "membership.hpp"

#include <algorithm>
#include <stdexcept>

namespace dynamo::ring::internal {

std::string sort_and_check_members(std::vector<Member>& members) {
  if (members.size() > Member::max_members) {
    return "dynamo: more than " + std::to_string(Member::max_members) + " ring members";
  }
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    if (m.name.empty()) return "dynamo: a ring member has an empty name";
    if (m.weight == 0) return "dynamo: ring member '" + m.name + "' has weight 0";
    if (i > 0 && members[i - 1].name == m.name) {
      return "dynamo: ring member '" + m.name + "' appears twice";
    }
  }
  return {};
}

std::string check_assignment(const RingParams& params, std::vector<Member>& members) {
  std::vector<const Member*> owner(params.partitions, nullptr);
  for (Member& m : members) {
    std::sort(m.partitions.begin(), m.partitions.end());
    for (std::uint32_t p : m.partitions) {
      if (p >= params.partitions) {
        return "dynamo: member '" + m.name + "' owns partition " + std::to_string(p) +
               " beyond the partition count " + std::to_string(params.partitions);
      }
      if (owner[p] != nullptr) {
        return "dynamo: partition " + std::to_string(p) + " is owned by both '" +
               owner[p]->name + "' and '" + m.name + "'";
      }
      owner[p] = &m;
    }
  }
  const auto unowned = std::find(owner.begin(), owner.end(), nullptr);
  if (unowned != owner.end()) {
    return "dynamo: partition " + std::to_string(unowned - owner.begin()) + " has no owner";
  }
  return {};
}

std::optional<std::size_t> find_by_name(std::span<const Member> sorted, std::string_view name) {
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                                   [](const Member& m, std::string_view n) { return m.name < n; });
  if (it == sorted.end() || it->name != name) return std::nullopt;
  return static_cast<std::size_t>(it - sorted.begin());
}

void throw_if(const std::string& problem) {
  if (!problem.empty()) throw std::invalid_argument(problem);
}

}  // namespace dynamo::ring::internal
