#pragma once
// SimStorage: a Storage handle onto a MemoryStorage that the simulation keeps outside the node,
// so a simulated crash can either keep the node's data (a durable disk) or wipe it (a lost disk)
// independently of the node object, which is destroyed either way.

#include <memory>

#include "dynamo/storage/memory_storage.hpp"

namespace dynamo::testing {

class SimStorage {
 public:
  explicit SimStorage(std::shared_ptr<MemoryStorage> disk) : disk_(std::move(disk)) {}

  std::optional<Siblings> get(ring::Position pos, std::string_view key) const {
    return disk_->get(pos, key);
  }
  void put(ring::Position pos, std::string_view key, Siblings s) { disk_->put(pos, key, std::move(s)); }
  bool erase(ring::Position pos, std::string_view key) { return disk_->erase(pos, key); }
  void for_each_in_range(ring::PositionRange range, const RangeVisitor& visit) const {
    disk_->for_each_in_range(range, visit);
  }
  std::size_t size() const { return disk_->size(); }

  std::optional<Siblings> get_hint(std::string_view owner, std::string_view key) const {
    return disk_->get_hint(owner, key);
  }
  void put_hint(std::string_view owner, std::string_view key, Siblings s) {
    disk_->put_hint(owner, key, std::move(s));
  }
  bool erase_hint(std::string_view owner, std::string_view key) {
    return disk_->erase_hint(owner, key);
  }
  void for_each_hint(const HintVisitor& visit) const { disk_->for_each_hint(visit); }
  std::size_t hint_count() const { return disk_->hint_count(); }
  std::optional<std::string> get_meta(std::string_view name) const { return disk_->get_meta(name); }
  void put_meta(std::string_view name, std::optional<std::string> value) {
    disk_->put_meta(name, std::move(value));
  }

 private:
  std::shared_ptr<MemoryStorage> disk_;
};

static_assert(Storage<SimStorage>);

}  // namespace dynamo::testing
