#pragma once
// MemoryStorage: sibling sets in an ordered map, lost when the process ends. The storage for
// tests, simulations and caches; LogStorage is the durable one.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "dynamo/concepts.hpp"

namespace dynamo {

class MemoryStorage {
 public:
  std::optional<Siblings> get(ring::Position pos, std::string_view key) const {
    const auto it = map_.find(SlotView{pos, key});
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }

  void put(ring::Position pos, std::string_view key, Siblings siblings) {
    if (siblings.empty()) {
      erase(pos, key);
      return;
    }
    const auto it = map_.find(SlotView{pos, key});
    if (it != map_.end()) {
      it->second = std::move(siblings);
    } else {
      map_.emplace(Slot{pos, std::string(key)}, std::move(siblings));
    }
  }

  bool erase(ring::Position pos, std::string_view key) {
    const auto it = map_.find(SlotView{pos, key});
    if (it == map_.end()) return false;
    map_.erase(it);
    return true;
  }

  void for_each_in_range(ring::PositionRange range, const RangeVisitor& visit) const {
    for (auto it = map_.lower_bound(SlotView{range.first, {}});
         it != map_.end() && it->first.pos <= range.last; ++it) {
      visit(it->first.pos, it->first.key, it->second);
    }
  }

  std::size_t size() const { return map_.size(); }

  std::optional<Siblings> get_hint(std::string_view owner, std::string_view key) const {
    const auto it = hints_.find(std::pair{owner, key});
    if (it == hints_.end()) return std::nullopt;
    return it->second;
  }

  void put_hint(std::string_view owner, std::string_view key, Siblings siblings) {
    if (siblings.empty()) {
      erase_hint(owner, key);
      return;
    }
    const auto it = hints_.find(std::pair{owner, key});
    if (it != hints_.end()) {
      it->second = std::move(siblings);
    } else {
      hints_.emplace(std::pair{std::string(owner), std::string(key)}, std::move(siblings));
    }
  }

  bool erase_hint(std::string_view owner, std::string_view key) {
    const auto it = hints_.find(std::pair{owner, key});
    if (it == hints_.end()) return false;
    hints_.erase(it);
    return true;
  }

  void for_each_hint(const HintVisitor& visit) const {
    for (const auto& [slot, siblings] : hints_) visit(slot.first, slot.second, siblings);
  }

  std::size_t hint_count() const { return hints_.size(); }

 private:
  // Keys ordered by ring position first, so a partition's keys are one contiguous run.
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
  std::map<Slot, Siblings, SlotLess> map_;
  struct HintLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      const std::string_view a_owner(a.first), b_owner(b.first);
      if (a_owner != b_owner) return a_owner < b_owner;
      return std::string_view(a.second) < std::string_view(b.second);
    }
  };
  std::map<std::pair<std::string, std::string>, Siblings, HintLess> hints_;  // (owner, key)
};

static_assert(Storage<MemoryStorage>);

}  // namespace dynamo
