#pragma once
// MemoryStorage: sibling sets in an ordered map, lost when the process ends. The storage for
// tests, simulations and caches; LogStorage is the durable one.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "dynamo/concepts.hpp"
#include "dynamo/storage/slot_order.hpp"

namespace dynamo {

class MemoryStorage {
 public:
  std::optional<Siblings> get(ring::Position pos, std::string_view key) const {
    const auto it = map_.find(storage::SlotView{pos, key});
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }

  void put(ring::Position pos, std::string_view key, Siblings siblings) {
    if (siblings.empty()) {
      erase(pos, key);
      return;
    }
    const auto it = map_.find(storage::SlotView{pos, key});
    if (it != map_.end()) {
      it->second = std::move(siblings);
    } else {
      map_.emplace(storage::Slot{pos, std::string(key)}, std::move(siblings));
    }
  }

  bool erase(ring::Position pos, std::string_view key) {
    const auto it = map_.find(storage::SlotView{pos, key});
    if (it == map_.end()) return false;
    map_.erase(it);
    return true;
  }

  void for_each_in_range(ring::PositionRange range, const RangeVisitor& visit) const {
    for (auto it = map_.lower_bound(storage::SlotView{range.first, {}});
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

  std::optional<std::string> get_meta(std::string_view name) const {
    const auto it = meta_.find(name);
    if (it == meta_.end()) return std::nullopt;
    return it->second;
  }

  void put_meta(std::string_view name, std::optional<std::string> value) {
    if (!value) {
      if (const auto it = meta_.find(name); it != meta_.end()) meta_.erase(it);
      return;
    }
    meta_.insert_or_assign(std::string(name), std::move(*value));
  }

 private:
  std::map<storage::Slot, Siblings, storage::SlotLess> map_;
  std::map<storage::HintSlot, Siblings, storage::HintLess> hints_;
  std::map<std::string, std::string, std::less<>> meta_;
};

static_assert(Storage<MemoryStorage>);

}  // namespace dynamo
