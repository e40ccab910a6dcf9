#pragma once
// LastWriteWins: keeps the version with the latest timestamp (ties broken by actor, then counter,
// so every node picks the same one). Simple, but a concurrent write with an earlier timestamp is
// silently discarded: use it only for data where losing such a write is acceptable.

#include <algorithm>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include "dynamo/concepts.hpp"

namespace dynamo {

struct LastWriteWins {
  static constexpr std::string_view name() { return "dynamo.last_write_wins"; }

  // The winner's value, or nothing when there are no versions or the winner is a tombstone.
  std::vector<Value> resolve(std::span<const Versioned> versions) const {
    if (versions.empty()) return {};
    const Versioned& winner = *std::ranges::max_element(versions, {}, [](const Versioned& v) {
      return std::tuple(v.timestamp, v.dot.actor, v.dot.counter);
    });
    if (winner.tombstone) return {};
    return {winner.value};
  }
};

static_assert(ConflictResolver<LastWriteWins>);

}  // namespace dynamo
