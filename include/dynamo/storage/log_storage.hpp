#pragma once
// LogStorage: the durable Storage, in the manner of Riak's Bitcask. Every change is appended to
// the active segment file of a directory as one checksummed record; an in-memory key directory
// points at the latest record of each key, hint and metadata name; values are read back from the
// files. Segments roll at a size bound, and on closing one an index file of its records is
// written so that reopening reads indexes instead of values. Compaction rewrites closed segments
// without their superseded records and erasures, in bounded steps driven by the node's timer.
//
// What a write promises when put() returns, by SyncPolicy:
//   always  the record was written and fdatasync'd before put() returned: it survives a process
//           crash and a power failure. Each put() blocks its caller for one disk flush.
//   group   the record was written to the OS at once, so it survives a process crash; a flusher
//           thread fdatasyncs batches, and durable_seq() says what survives a power failure. The
//           node acknowledges a replica write only then, without blocking its executor.
//   none    the record was written to the OS: it survives a process crash but not a power
//           failure or kernel crash. The node acknowledges at once.
//
// Recovery on open: index files are trusted for closed segments (each carries its own checksum;
// a bad or missing one is replaced by a scan); other segments are scanned record by record. A torn
// record at a segment's end (a crash mid-append) is truncated away; a record whose checksum fails
// with valid records after it is counted, reported with its offset in recovery(), and skipped;
// values are checksummed again on every read, and a record found damaged then reads as missing
// (counted in stats()) so that read repair and anti-entropy restore it from other replicas.
//
// A directory is used by one LogStorage at a time: a second open, from this process or another,
// throws std::system_error naming the holder's pid. Constructor errors (bad options, unusable
// directory) throw; errors at run time never do: a write the disk refused is never reported
// durable (so a node never acknowledges it) and stats().write_errors counts it.
//
// Thread safety: one thread calls everything except durable_seq() and on_durable()'s callback,
// which run on the flusher thread under group commit.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/concepts.hpp"

namespace dynamo {

enum class SyncPolicy { always, group, none };

// Parses "always", "group" or "none"; nullopt for anything else.
std::optional<SyncPolicy> parse_sync_policy(std::string_view text);
std::string_view to_string(SyncPolicy policy);

struct LogStorageOptions {
  SyncPolicy sync = SyncPolicy::group;
  // Under group commit, how long the flusher waits after the first unsynced write for others to
  // join its batch. Zero syncs as soon as the previous sync ends, which still batches every write
  // made while a sync was running.
  std::chrono::microseconds group_commit_window{0};
  // A segment is closed and a new one started once it holds this many bytes.
  std::uint64_t segment_bytes = std::uint64_t{64} << 20;
  // Compaction starts when the closed segments hold at least compaction_min_garbage bytes of
  // superseded records and those are at least compaction_garbage_ratio of their size.
  std::uint64_t compaction_min_garbage = std::uint64_t{16} << 20;
  double compaction_garbage_ratio = 0.4;
  // Bytes of old segments one maintain() step reads: the rate limit of compaction, with the
  // node calling maintain() every maintenance period while work remains.
  std::uint64_t compaction_step_bytes = std::uint64_t{1} << 20;
};

// What reopening a directory found.
struct RecoveryReport {
  struct Damage {
    std::string segment;  // file name
    std::uint64_t offset = 0;
  };
  std::size_t segments = 0;
  std::size_t indexes_used = 0;     // closed segments recovered from their index file
  std::size_t segments_scanned = 0;  // read record by record
  std::uint64_t records = 0;
  std::uint64_t torn_bytes = 0;  // truncated from segment ends
  std::vector<Damage> corrupt;   // records skipped for a bad checksum or length
  std::chrono::microseconds duration{0};
};

struct LogStorageStats {
  std::uint64_t segments = 0;
  std::uint64_t disk_bytes = 0;  // all segment files
  std::uint64_t live_bytes = 0;  // records the key directory points at
  std::uint64_t compactions = 0;
  std::uint64_t compacted_bytes = 0;  // bytes of old segments reclaimed
  std::uint64_t corrupt_reads = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t syncs = 0;
  std::string last_error;  // the write or sync error that stopped writes, if any
};

class LogStorage {
 public:
  // Opens or creates the directory and recovers it. Throws std::invalid_argument for bad options
  // and std::system_error when the directory cannot be used or is locked by another user.
  explicit LogStorage(std::filesystem::path dir, LogStorageOptions options = {});
  LogStorage(LogStorage&&) noexcept;
  LogStorage& operator=(LogStorage&&) noexcept;
  // Syncs what is unsynced (whatever the policy), stops the flusher, releases the lock.
  ~LogStorage();

  std::optional<Siblings> get(ring::Position pos, std::string_view key) const;
  void put(ring::Position pos, std::string_view key, Siblings siblings);
  bool erase(ring::Position pos, std::string_view key);
  void for_each_in_range(ring::PositionRange range, const RangeVisitor& visit) const;
  std::size_t size() const;

  std::optional<Siblings> get_hint(std::string_view owner, std::string_view key) const;
  void put_hint(std::string_view owner, std::string_view key, Siblings siblings);
  bool erase_hint(std::string_view owner, std::string_view key);
  void for_each_hint(const HintVisitor& visit) const;
  std::size_t hint_count() const;

  std::optional<std::string> get_meta(std::string_view name) const;
  void put_meta(std::string_view name, std::optional<std::string> value);

  // DeferredDurability (concepts.hpp).
  std::uint64_t write_seq() const;
  std::uint64_t durable_seq() const;
  void on_durable(std::function<void()> wake);
  // Blocks until everything written so far is durable (fdatasync'd), whatever the policy.
  void sync();

  // MaintainedStorage: one bounded step of compaction; true while more remains.
  bool maintain();
  // Compacts every closed segment holding garbage now, to the end, whatever the thresholds
  // (tests, benchmarks, tools).
  void compact();

  const RecoveryReport& recovery() const;
  LogStorageStats stats() const;
  const std::filesystem::path& directory() const;
  const LogStorageOptions& options() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

static_assert(Storage<LogStorage>);
static_assert(DeferredDurability<LogStorage>);
static_assert(MaintainedStorage<LogStorage>);

}  // namespace dynamo
