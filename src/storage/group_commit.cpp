#include "storage/group_commit.hpp"

#include <algorithm>

namespace dynamo::storage {

GroupCommitter::GroupCommitter(std::chrono::microseconds window, std::uint64_t durable_seq)
    : window_(window), appended_seq_(durable_seq), durable_seq_(durable_seq) {
  thread_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

void GroupCommitter::appended(std::uint64_t seq, std::shared_ptr<LogFile> file) {
  {
    std::lock_guard lock(mu_);
    appended_seq_ = seq;
    if (std::find(dirty_.begin(), dirty_.end(), file) == dirty_.end()) {
      dirty_.push_back(std::move(file));
    }
  }
  work_.notify_one();
}

void GroupCommitter::on_durable(std::function<void()> wake) {
  std::lock_guard lock(wake_mu_);
  wake_ = std::move(wake);
}

void GroupCommitter::sync_all() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = appended_seq_;
  work_.notify_one();
  done_.wait(lock, [&] { return failed_ || durable_seq_.load() >= target; });
}

bool GroupCommitter::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

void GroupCommitter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_.wait(lock, [&] {
      return stopping_ || (!failed_ && appended_seq_ > durable_seq_.load());
    });
    if (failed_ || appended_seq_ <= durable_seq_.load()) {
      if (stopping_) return;
      continue;
    }
    if (window_.count() > 0 && !stopping_) {
      work_.wait_for(lock, window_, [&] { return stopping_; });
    }
    const std::uint64_t target = appended_seq_;
    std::vector<std::shared_ptr<LogFile>> files;
    files.swap(dirty_);
    lock.unlock();
    bool ok = true;
    for (const auto& file : files) ok = !file->sync() && ok;
    syncs_.fetch_add(1, std::memory_order_relaxed);
    lock.lock();
    if (ok) {
      durable_seq_.store(target, std::memory_order_release);
    } else {
      failed_ = true;
    }
    done_.notify_all();
    if (!ok) continue;
    lock.unlock();
    {
      std::lock_guard wake_lock(wake_mu_);
      if (wake_) wake_();
    }
    lock.lock();
  }
}

}  // namespace dynamo::storage
