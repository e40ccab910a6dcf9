#pragma once
// The orders a storage keeps its entries in: keys by (ring position, key), so a partition's keys
// are one contiguous run, and hints by (owner, key). Both comparators are transparent, so a
// lookup by string_view allocates nothing.

#include <string>
#include <string_view>
#include <utility>

#include "dynamo/ring/position.hpp"

namespace dynamo::storage {

struct Slot {
  ring::Position pos;
  std::string key;
};
struct SlotView {
  ring::Position pos;
  std::string_view key;
};
struct SlotLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    if (a.pos != b.pos) return a.pos < b.pos;
    return std::string_view(a.key) < std::string_view(b.key);
  }
};

using HintSlot = std::pair<std::string, std::string>;  // (owner, key)
struct HintLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const std::string_view a_owner(a.first), b_owner(b.first);
    if (a_owner != b_owner) return a_owner < b_owner;
    return std::string_view(a.second) < std::string_view(b.second);
  }
};

}  // namespace dynamo::storage
