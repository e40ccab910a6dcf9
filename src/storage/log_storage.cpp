// LogStorage's reads, writes and segment rolling; see log_storage.hpp for the promises.

#include "dynamo/storage/log_storage.hpp"

#include <cstdio>

#include "dynamo/wire/value_codec.hpp"
#include "storage/log_index.hpp"
#include "storage/log_storage_impl.hpp"

namespace dynamo {

using storage::Record;
using storage::RecordKind;

std::optional<SyncPolicy> parse_sync_policy(std::string_view text) {
  if (text == "always") return SyncPolicy::always;
  if (text == "group") return SyncPolicy::group;
  if (text == "none") return SyncPolicy::none;
  return std::nullopt;
}

std::string_view to_string(SyncPolicy policy) {
  switch (policy) {
    case SyncPolicy::always: return "always";
    case SyncPolicy::group: return "group";
    case SyncPolicy::none: return "none";
  }
  return "unknown";
}

// ---- Impl: writing ----

std::filesystem::path LogStorage::Impl::segment_path(std::uint32_t id) const {
  char name[32];
  std::snprintf(name, sizeof name, "%08u.log", id);
  return dir_ / name;
}

std::filesystem::path LogStorage::Impl::index_path(std::uint32_t id) const {
  char name[32];
  std::snprintf(name, sizeof name, "%08u.idx", id);
  return dir_ / name;
}

void LogStorage::Impl::fail(std::error_code ec, const std::string& what) {
  // Once a write or sync failed, nothing later may be reported durable (see group_commit.hpp), so
  // the storage refuses writes until it is reopened.
  failed_ = true;
  ++stats_.write_errors;
  stats_.last_error = what + ": " + ec.message();
}

void LogStorage::Impl::mark_durable(std::uint64_t seq) {
  durable_seq_.store(seq, std::memory_order_release);
}

std::uint32_t LogStorage::Impl::open_segment() {
  const std::uint32_t id = next_segment_++;
  Segment seg;
  seg.file = std::make_shared<storage::LogFile>(segment_path(id), storage::LogFile::Mode::append);
  segments_.emplace(id, std::move(seg));
  if (options_.sync != SyncPolicy::none) {
    if (const auto ec = storage::sync_directory(dir_)) throw std::system_error(ec, dir_.string());
  }
  return id;
}

void LogStorage::Impl::close_segment(std::uint32_t id) {
  Segment& seg = segments_.at(id);
  // The index needs no sync of its own: a torn or missing index only makes the next open scan.
  const std::string index =
      storage::finish_index(seg.file->size(), seg.index_count, seg.index_entries);
  std::error_code ec;
  try {
    storage::LogFile file(index_path(id).string() + ".tmp", storage::LogFile::Mode::append);
    if (file.size() != 0) ec = file.truncate(0);
    if (!ec) ec = file.append(index);
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  if (!ec) std::filesystem::rename(index_path(id).string() + ".tmp", index_path(id), ec);
  seg.index_entries.clear();
  seg.index_entries.shrink_to_fit();
  seg.index_count = 0;
}

void LogStorage::Impl::roll() {
  try {
    const std::uint32_t next = open_segment();
    close_segment(active_);
    if (options_.sync == SyncPolicy::always) {
      if (const auto ec = segments_.at(active_).file->sync()) return fail(ec, "sync");
    }
    active_ = next;
  } catch (const std::system_error& e) {
    fail(e.code(), e.what());
  }
}

std::optional<LogStorage::Impl::Location> LogStorage::Impl::append(Record record) {
  record.seq = next_seq_++;
  if (failed_) {
    ++stats_.write_errors;
    return std::nullopt;
  }
  scratch_.clear();
  storage::append_record(scratch_, record);
  Segment& seg = segments_.at(active_);
  const Location where{active_, static_cast<std::uint32_t>(scratch_.size()), seg.file->size()};
  if (const auto ec = seg.file->append(scratch_)) {
    fail(ec, "append");
    return std::nullopt;
  }
  storage::append_index_entry(seg.index_entries, {record, where.offset, where.size});
  ++seg.index_count;
  switch (options_.sync) {
    case SyncPolicy::always:
      if (const auto ec = seg.file->sync()) {
        fail(ec, "sync");
        return std::nullopt;
      }
      ++stats_.syncs;
      mark_durable(record.seq);
      break;
    case SyncPolicy::group:
      committer_->appended(record.seq, seg.file);
      break;
    case SyncPolicy::none:
      mark_durable(record.seq);
      break;
  }
  if (seg.file->size() >= options_.segment_bytes) roll();
  return where;
}

void LogStorage::Impl::write(Record record, std::string value) {
  record.value = value;
  if (const auto where = append(record)) install(record, *where);
}

bool LogStorage::Impl::write_erasure(const Record& record) {
  if (!find(record)) return false;
  const auto where = append(record);
  if (!where) return false;
  install(record, *where);
  return true;
}

LogStorage::Impl::Location* LogStorage::Impl::find(const Record& r) {
  if (storage::is_key(r.kind)) {
    const auto it = keys_.find(storage::SlotView{r.pos, r.key});
    return it == keys_.end() ? nullptr : &it->second;
  }
  if (storage::is_hint(r.kind)) {
    const auto it = hints_.find(std::pair{r.owner, r.key});
    return it == hints_.end() ? nullptr : &it->second;
  }
  const auto it = meta_.find(r.key);
  return it == meta_.end() ? nullptr : &it->second;
}

void LogStorage::Impl::drop(Location& old) {
  const auto it = segments_.find(old.segment);
  if (it != segments_.end()) it->second.live -= old.size;
}

void LogStorage::Impl::install(const Record& r, const Location& where) {
  if (Location* old = find(r)) {
    drop(*old);
    if (storage::is_erase(r.kind)) {
      if (storage::is_key(r.kind)) {
        keys_.erase(keys_.find(storage::SlotView{r.pos, r.key}));
      } else if (storage::is_hint(r.kind)) {
        hints_.erase(hints_.find(std::pair{r.owner, r.key}));
      } else {
        meta_.erase(meta_.find(r.key));
      }
      return;
    }
    *old = where;
  } else if (storage::is_erase(r.kind)) {
    return;
  } else if (storage::is_key(r.kind)) {
    keys_.emplace(storage::Slot{r.pos, std::string(r.key)}, where);
  } else if (storage::is_hint(r.kind)) {
    hints_.emplace(storage::HintSlot{std::string(r.owner), std::string(r.key)}, where);
  } else {
    meta_.emplace(std::string(r.key), where);
  }
  segments_.at(where.segment).live += where.size;
}

// ---- Impl: reading ----

bool LogStorage::Impl::read(const Location& where, RecordKind kind, std::string& buffer,
                            Record& record) const {
  const auto it = segments_.find(where.segment);
  std::size_t size = 0;
  if (it == segments_.end() || it->second.file->read_at(where.offset, where.size, buffer) ||
      storage::parse_record(buffer, record, size) != storage::ParseResult::ok ||
      size != where.size || record.kind != kind) {
    ++stats_.corrupt_reads;
    return false;
  }
  return true;
}

std::optional<Siblings> LogStorage::Impl::read_siblings(const Location& where,
                                                        RecordKind kind) const {
  std::string buffer;
  Record record;
  if (!read(where, kind, buffer, record)) return std::nullopt;
  Siblings siblings;
  if (wire::decode_siblings(record.value, wire::Limits{}, siblings) || siblings.empty()) {
    ++stats_.corrupt_reads;
    return std::nullopt;
  }
  return siblings;
}

// ---- LogStorage ----

LogStorage::LogStorage(std::filesystem::path dir, LogStorageOptions options)
    : impl_(std::make_unique<Impl>(std::move(dir), options)) {}
LogStorage::LogStorage(LogStorage&&) noexcept = default;
LogStorage& LogStorage::operator=(LogStorage&&) noexcept = default;
LogStorage::~LogStorage() = default;

std::optional<Siblings> LogStorage::get(ring::Position pos, std::string_view key) const {
  const auto it = impl_->keys_.find(storage::SlotView{pos, key});
  if (it == impl_->keys_.end()) return std::nullopt;
  return impl_->read_siblings(it->second, RecordKind::key_put);
}

void LogStorage::put(ring::Position pos, std::string_view key, Siblings siblings) {
  if (siblings.empty()) {
    erase(pos, key);
    return;
  }
  impl_->write({RecordKind::key_put, 0, pos, {}, key, {}}, wire::encode_siblings(siblings));
}

bool LogStorage::erase(ring::Position pos, std::string_view key) {
  return impl_->write_erasure({RecordKind::key_erase, 0, pos, {}, key, {}});
}

void LogStorage::for_each_in_range(ring::PositionRange range, const RangeVisitor& visit) const {
  for (auto it = impl_->keys_.lower_bound(storage::SlotView{range.first, {}});
       it != impl_->keys_.end() && it->first.pos <= range.last; ++it) {
    if (auto siblings = impl_->read_siblings(it->second, RecordKind::key_put)) {
      visit(it->first.pos, it->first.key, *siblings);
    }
  }
}

std::size_t LogStorage::size() const { return impl_->keys_.size(); }

std::optional<Siblings> LogStorage::get_hint(std::string_view owner, std::string_view key) const {
  const auto it = impl_->hints_.find(std::pair{owner, key});
  if (it == impl_->hints_.end()) return std::nullopt;
  return impl_->read_siblings(it->second, RecordKind::hint_put);
}

void LogStorage::put_hint(std::string_view owner, std::string_view key, Siblings siblings) {
  if (siblings.empty()) {
    erase_hint(owner, key);
    return;
  }
  impl_->write({RecordKind::hint_put, 0, {}, owner, key, {}}, wire::encode_siblings(siblings));
}

bool LogStorage::erase_hint(std::string_view owner, std::string_view key) {
  return impl_->write_erasure({RecordKind::hint_erase, 0, {}, owner, key, {}});
}

void LogStorage::for_each_hint(const HintVisitor& visit) const {
  for (const auto& [slot, where] : impl_->hints_) {
    if (auto siblings = impl_->read_siblings(where, RecordKind::hint_put)) {
      visit(slot.first, slot.second, *siblings);
    }
  }
}

std::size_t LogStorage::hint_count() const { return impl_->hints_.size(); }

std::optional<std::string> LogStorage::get_meta(std::string_view name) const {
  const auto it = impl_->meta_.find(name);
  if (it == impl_->meta_.end()) return std::nullopt;
  std::string buffer;
  Record record;
  if (!impl_->read(it->second, RecordKind::meta_put, buffer, record)) return std::nullopt;
  return std::string(record.value);
}

void LogStorage::put_meta(std::string_view name, std::optional<std::string> value) {
  if (!value) {
    impl_->write_erasure({RecordKind::meta_erase, 0, {}, {}, name, {}});
    return;
  }
  impl_->write({RecordKind::meta_put, 0, {}, {}, name, {}}, std::move(*value));
}

std::uint64_t LogStorage::write_seq() const { return impl_->next_seq_ - 1; }

std::uint64_t LogStorage::durable_seq() const {
  return impl_->committer_ ? impl_->committer_->durable_seq()
                           : impl_->durable_seq_.load(std::memory_order_acquire);
}

void LogStorage::on_durable(std::function<void()> wake) {
  if (impl_->committer_) impl_->committer_->on_durable(std::move(wake));
}

void LogStorage::sync() {
  if (impl_->committer_) {
    impl_->committer_->sync_all();
    return;
  }
  for (auto& [id, seg] : impl_->segments_) {
    if (const auto ec = seg.file->sync()) return impl_->fail(ec, "sync");
  }
  ++impl_->stats_.syncs;
  if (!impl_->failed_) impl_->mark_durable(write_seq());
}

bool LogStorage::maintain() {
  if (!impl_->compaction_ && !impl_->should_compact(false)) return false;
  return impl_->compact_step();
}

void LogStorage::compact() {
  if (!impl_->compaction_ && !impl_->should_compact(true)) return;
  while (impl_->compact_step()) {
  }
}

const RecoveryReport& LogStorage::recovery() const { return impl_->recovery_; }

LogStorageStats LogStorage::stats() const {
  LogStorageStats s = impl_->stats_;
  s.segments = impl_->segments_.size();
  s.disk_bytes = 0;
  s.live_bytes = 0;
  for (const auto& [id, seg] : impl_->segments_) {
    s.disk_bytes += seg.file->size();
    s.live_bytes += seg.live;
  }
  if (impl_->committer_) s.syncs += impl_->committer_->syncs();
  return s;
}

const std::filesystem::path& LogStorage::directory() const { return impl_->dir_; }
const LogStorageOptions& LogStorage::options() const { return impl_->options_; }

}  // namespace dynamo
