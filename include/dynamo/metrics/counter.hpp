#pragma once
// Counter and Gauge: one figure written by one thread (the Node's or Client's executor) and read
// by any. Relaxed atomics: a reader sees every figure whole, though two figures read one after
// the other may be a few events apart.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>

namespace dynamo::metrics {

class Counter {
 public:
  // REQUIRES: called from one thread only (a load and a store, cheaper than fetch_add).
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(std::uint64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Published: a value (the gauges) the executor replaces now and then and any thread copies.
template <class T>
class Published {
 public:
  void set(T value) {
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
  }
  T get() const {
    std::lock_guard lock(mutex_);
    return value_;
  }

 private:
  mutable std::mutex mutex_;
  T value_{};
};

}  // namespace dynamo::metrics
