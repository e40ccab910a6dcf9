#pragma once
// LogStorage's state, shared by the files that implement it: log_storage.cpp (reads and
// writes), log_recovery.cpp (opening a directory) and log_compaction.cpp.

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dynamo/storage/log_storage.hpp"
#include "dynamo/storage/slot_order.hpp"
#include "storage/group_commit.hpp"
#include "storage/log_file.hpp"
#include "storage/log_record.hpp"

namespace dynamo {
namespace storage {

// Where a record lives.
struct Location {
  std::uint32_t segment = 0;
  std::uint32_t size = 0;
  std::uint64_t offset = 0;
  friend bool operator==(const Location&, const Location&) = default;
};

}  // namespace storage

class LogStorage::Impl {
 public:
  Impl(std::filesystem::path dir, LogStorageOptions options);
  ~Impl();

  using Location = storage::Location;
  struct Segment {
    std::shared_ptr<storage::LogFile> file;
    std::uint64_t live = 0;     // bytes of records the key directory points at
    std::string index_entries;  // while open for writing: its index so far
    std::uint64_t index_count = 0;
  };

  // log_storage.cpp
  // A put of `value` under the record's key, hint or name, or an erasure of one (false, and no
  // record written, if there was nothing to erase or the write failed).
  void write(storage::Record record, std::string value);
  bool write_erasure(const storage::Record& record);
  std::optional<Location> append(storage::Record record);
  bool read(const Location& where, storage::RecordKind kind, std::string& buffer,
            storage::Record& record) const;
  std::optional<Siblings> read_siblings(const Location& where, storage::RecordKind kind) const;
  // The key directory entry for a record's key, hint or name, or nullptr.
  Location* find(const storage::Record& record);
  // Points the key directory at a new record (or drops the entry for an erasure), keeping the
  // live byte counts of the segments involved.
  void install(const storage::Record& record, const Location& where);
  void drop(Location& old);
  void roll();
  void close_segment(std::uint32_t id);
  std::uint32_t open_segment();
  void fail(std::error_code ec, const std::string& what);
  std::filesystem::path segment_path(std::uint32_t id) const;
  std::filesystem::path index_path(std::uint32_t id) const;
  void mark_durable(std::uint64_t seq);

  // log_recovery.cpp
  void lock_directory();
  void recover();

  // log_compaction.cpp
  // Whether a round should start: by the options' thresholds, or (forced) if any closed
  // segment holds garbage at all.
  bool should_compact(bool forced) const;
  bool compact_step();

  std::filesystem::path dir_;
  LogStorageOptions options_;
  int lock_fd_ = -1;
  std::map<std::uint32_t, Segment> segments_;
  std::uint32_t active_ = 0;
  std::uint32_t next_segment_ = 1;
  std::map<storage::Slot, Location, storage::SlotLess> keys_;
  std::map<storage::HintSlot, Location, storage::HintLess> hints_;
  std::map<std::string, Location, std::less<>> meta_;
  std::uint64_t next_seq_ = 1;
  std::atomic<std::uint64_t> durable_seq_{0};  // for the always and none policies
  std::unique_ptr<storage::GroupCommitter> committer_;
  bool failed_ = false;
  std::string scratch_;
  RecoveryReport recovery_;
  mutable LogStorageStats stats_;

  struct Compaction {
    std::vector<std::uint32_t> victims;
    std::size_t current = 0;
    std::uint64_t offset = 0;
    std::uint32_t output = 0;  // 0: none open yet
    std::vector<std::uint32_t> outputs;
    bool damaged = false;
  };
  std::optional<Compaction> compaction_;
  std::vector<std::uint32_t> quarantined_;  // closed segments found damaged: never compacted
};

}  // namespace dynamo
