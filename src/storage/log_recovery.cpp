// Opening a LogStorage directory: the lock, and rebuilding the key directory from index files
// and segment scans (see log_storage.hpp for what is kept, truncated and reported).

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "storage/log_index.hpp"
#include "storage/log_storage_impl.hpp"

namespace dynamo {
namespace {

using storage::Record;
using storage::RecordKind;

// One record found on disk, owning its names so index buffers can be freed.
struct Found {
  RecordKind kind;
  std::uint64_t seq;
  storage::Location where;
  ring::Position pos;
  std::string owner;
  std::string key;

  int space() const { return storage::is_key(kind) ? 0 : storage::is_hint(kind) ? 1 : 2; }
};

Found found_from(const Record& r, storage::Location where) {
  return {r.kind, r.seq, where, r.pos, std::string(r.owner), std::string(r.key)};
}

// Groups records of one key (hint, name) together, newest first. Within the key space the order
// is the one the storage's maps use, so they can be filled from the back.
bool older_slot_or_newer(const Found& a, const Found& b) {
  if (a.space() != b.space()) return a.space() < b.space();
  if (a.pos != b.pos) return a.pos < b.pos;
  if (a.owner != b.owner) return a.owner < b.owner;
  if (a.key != b.key) return a.key < b.key;
  return a.seq > b.seq;
}

bool same_slot(const Found& a, const Found& b) {
  return a.space() == b.space() && a.pos == b.pos && a.owner == b.owner && a.key == b.key;
}

std::optional<std::uint32_t> segment_id(const std::string& name) {
  if (name.size() != 12 || name.substr(8) != ".log") return std::nullopt;
  std::uint32_t id = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + 8, id);
  if (ec != std::errc{} || end != name.data() + 8 || id == 0) return std::nullopt;
  return id;
}

}  // namespace

LogStorage::Impl::Impl(std::filesystem::path dir, LogStorageOptions options)
    : dir_(std::move(dir)), options_(options) {
  if (options_.segment_bytes < 1024 || options_.segment_bytes > (std::uint64_t{1} << 32)) {
    throw std::invalid_argument("LogStorage: segment_bytes must be between 1 KiB and 4 GiB");
  }
  if (!(options_.compaction_garbage_ratio >= 0.0 && options_.compaction_garbage_ratio <= 1.0)) {
    throw std::invalid_argument("LogStorage: compaction_garbage_ratio must be within [0, 1]");
  }
  if (options_.compaction_step_bytes == 0) {
    throw std::invalid_argument("LogStorage: compaction_step_bytes must be positive");
  }
  if (options_.group_commit_window.count() < 0) {
    throw std::invalid_argument("LogStorage: group_commit_window must not be negative");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::system_error(ec, "cannot create storage directory " + dir_.string());
  lock_directory();
  try {
    recover();
    active_ = open_segment();
  } catch (...) {
    ::close(lock_fd_);
    throw;
  }
  mark_durable(next_seq_ - 1);
  if (options_.sync == SyncPolicy::group) {
    committer_ = std::make_unique<storage::GroupCommitter>(options_.group_commit_window,
                                                           next_seq_ - 1);
  }
}

LogStorage::Impl::~Impl() {
  if (committer_) {
    committer_->sync_all();
    committer_.reset();
  } else {
    for (auto& [id, seg] : segments_) (void)seg.file->sync();
  }
  // An index for the last segment too, so the next open reads no values at all; or, if nothing
  // was written to it, no segment at all, so that reopening does not pile up empty files.
  if (!failed_ && segments_.contains(active_)) {
    if (segments_.at(active_).file->size() == 0) {
      std::error_code ignored;
      std::filesystem::remove(segment_path(active_), ignored);
    } else {
      close_segment(active_);
    }
  }
  ::close(lock_fd_);
}

void LogStorage::Impl::lock_directory() {
  const auto path = dir_ / "LOCK";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    throw std::system_error(errno, std::system_category(), "cannot open " + path.string());
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(lock_fd_, holder, sizeof holder - 1, 0);
    ::close(lock_fd_);
    std::string who = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "unknown";
    who.erase(who.find_last_not_of("\n ") + 1);
    throw std::system_error(err, std::system_category(),
                            dir_.string() + " is in use by another LogStorage (pid " + who + ")");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 ||
      ::pwrite(lock_fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    ::close(lock_fd_);
    throw std::system_error(err, std::system_category(), "cannot write " + path.string());
  }
}

void LogStorage::Impl::recover() {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::uint32_t> ids;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".tmp")) {
      std::filesystem::remove(entry.path());
    } else if (const auto id = segment_id(name)) {
      ids.push_back(*id);
    }
  }
  std::sort(ids.begin(), ids.end());

  std::vector<Found> found;
  std::vector<storage::IndexEntry> entries;
  std::string bytes;
  for (const std::uint32_t id : ids) {
    next_segment_ = std::max(next_segment_, id + 1);
    Segment seg;
    seg.file = std::make_shared<storage::LogFile>(segment_path(id), storage::LogFile::Mode::read);
    if (seg.file->size() == 0) {  // opened and never written before a crash
      std::filesystem::remove(segment_path(id));
      std::filesystem::remove(index_path(id));
      continue;
    }
    if (!storage::read_whole_file(index_path(id), bytes) &&
        storage::decode_index(bytes, seg.file->size(), entries)) {
      for (const auto& e : entries) found.push_back(found_from(e.fields, {id, e.size, e.offset}));
      recovery_.records += entries.size();
      ++recovery_.indexes_used;
      segments_.emplace(id, std::move(seg));
      continue;
    }
    // No usable index: read every record, resynchronising on the next magic after damage.
    if (const auto ec = seg.file->read_at(0, static_cast<std::size_t>(seg.file->size()), bytes)) {
      throw std::system_error(ec, "cannot read " + seg.file->path().string());
    }
    const std::string_view data(bytes);
    std::size_t at = 0;
    while (at < data.size()) {
      Record r;
      std::size_t n = 0;
      if (storage::parse_record(data.substr(at), r, n) == storage::ParseResult::ok) {
        const Location where{id, static_cast<std::uint32_t>(n), at};
        found.push_back(found_from(r, where));
        storage::append_index_entry(seg.index_entries, {r, where.offset, where.size});
        ++seg.index_count;
        ++recovery_.records;
        at += n;
        continue;
      }
      std::size_t next = at + 1;
      for (; (next = storage::find_next_magic(data, next)) < data.size(); ++next) {
        if (storage::parse_record(data.substr(next), r, n) == storage::ParseResult::ok) break;
      }
      if (next >= data.size()) {  // nothing valid follows: a torn tail
        recovery_.torn_bytes += data.size() - at;
        std::filesystem::resize_file(seg.file->path(), at);
        seg.file = std::make_shared<storage::LogFile>(segment_path(id),
                                                      storage::LogFile::Mode::read);
        break;
      }
      recovery_.corrupt.push_back({segment_path(id).filename().string(), at});
      at = next;
    }
    ++recovery_.segments_scanned;
    segments_.emplace(id, std::move(seg));
    close_segment(id);  // write the index it lacked
  }
  recovery_.segments = segments_.size();

  std::sort(found.begin(), found.end(), older_slot_or_newer);
  for (std::size_t i = 0; i < found.size();) {
    Found& latest = found[i];
    next_seq_ = std::max(next_seq_, latest.seq + 1);
    std::size_t j = i + 1;
    for (; j < found.size() && same_slot(found[j], latest); ++j) {
      next_seq_ = std::max(next_seq_, found[j].seq + 1);
    }
    if (!storage::is_erase(latest.kind)) {
      segments_.at(latest.where.segment).live += latest.where.size;
      if (storage::is_key(latest.kind)) {
        keys_.emplace_hint(keys_.end(), storage::Slot{latest.pos, std::move(latest.key)},
                           latest.where);
      } else if (storage::is_hint(latest.kind)) {
        hints_.emplace_hint(hints_.end(),
                            storage::HintSlot{std::move(latest.owner), std::move(latest.key)},
                            latest.where);
      } else {
        meta_.emplace_hint(meta_.end(), std::move(latest.key), latest.where);
      }
    }
    i = j;
  }
  recovery_.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
}

}  // namespace dynamo
