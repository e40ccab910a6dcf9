#pragma once
// GroupCommitter: the flusher thread of LogStorage's group commit. The node's thread appends
// records and reports each one here; the flusher fdatasyncs every file written since its last
// sync in one go, then advances durable_seq and wakes the node, so one disk flush acknowledges a
// whole batch and the node's thread never waits for the disk.
//
// After a failed fdatasync nothing more is ever reported durable: the kernel may have dropped the
// dirty pages, so retrying could falsely succeed (PostgreSQL's "fsyncgate").

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/log_file.hpp"

namespace dynamo::storage {

class GroupCommitter {
 public:
  GroupCommitter(std::chrono::microseconds window, std::uint64_t durable_seq);
  // Syncs what was appended, then stops the thread.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Records up to seq were appended to file.
  void appended(std::uint64_t seq, std::shared_ptr<LogFile> file);
  std::uint64_t durable_seq() const { return durable_seq_.load(std::memory_order_acquire); }
  void on_durable(std::function<void()> wake);
  // Blocks until everything appended so far is durable, or a sync has failed.
  void sync_all();
  std::uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }
  bool failed() const;

 private:
  void run();

  const std::chrono::microseconds window_;
  mutable std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::uint64_t appended_seq_ = 0;
  std::vector<std::shared_ptr<LogFile>> dirty_;
  bool stopping_ = false;
  bool failed_ = false;
  std::atomic<std::uint64_t> durable_seq_;
  std::atomic<std::uint64_t> syncs_{0};
  std::mutex wake_mu_;  // held while wake_ runs, so on_durable({}) waits for a running call
  std::function<void()> wake_;
  std::thread thread_;
};

}  // namespace dynamo::storage
