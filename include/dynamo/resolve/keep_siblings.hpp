#pragma once
// KeepSiblings: hands every live sibling to the caller, who reconciles them (the Dynamo paper's
// semantic reconciliation by the application) and writes the result back with the read's context.

#include <span>
#include <string_view>
#include <vector>

#include "dynamo/concepts.hpp"

namespace dynamo {

struct KeepSiblings {
  static constexpr std::string_view name() { return "dynamo.keep_siblings"; }

  // Every non-tombstone value, in dot order; empty when the key is absent or removed.
  std::vector<Value> resolve(std::span<const Versioned> versions) const {
    std::vector<Value> values;
    for (const Versioned& v : versions) {
      if (!v.tombstone) values.push_back(v.value);
    }
    return values;
  }
};

static_assert(ConflictResolver<KeepSiblings>);

}  // namespace dynamo
