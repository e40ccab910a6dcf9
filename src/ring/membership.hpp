#pragma once
// Checks and look-ups on membership snapshots shared by the planner (which throws on bad input)
// and Ring::build (which reports an error code for views gossip may deliver half-updated).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/ring/member.hpp"
#include "dynamo/ring/ring_params.hpp"

namespace dynamo::ring::internal {

// Sorts members by name, then returns "" or what is wrong: too many members, an empty name, a
// duplicate name, or a zero weight.
std::string sort_and_check_members(std::vector<Member>& members);

// Returns "" if every partition in [0, Q) is owned by exactly one of `members`, else what is
// wrong. Sorts each member's partitions as a side effect, so equal snapshots compare equal.
std::string check_assignment(const RingParams& params, std::vector<Member>& members);

// The index of the member called `name` in a name-sorted list, if any.
std::optional<std::size_t> find_by_name(std::span<const Member> sorted, std::string_view name);

// Throws std::invalid_argument with `problem` unless it is empty.
void throw_if(const std::string& problem);

}  // namespace dynamo::ring::internal
