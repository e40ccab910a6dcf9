#pragma once
// LoadDriver: drives a workload through dynamo Clients that share one io_context. Closed loop:
// every client keeps `in_flight` requests outstanding and issues the next as one completes.
// Open loop (a target rate, run phase only): operations fall due on a fixed schedule and go to a
// client with fewer than `in_flight` outstanding, waiting in a backlog while none is; latency
// counts from when each fell due. The load phase inserts each record once; the run phase reads
// and updates. An update writes with
// the context last seen for its record (as an application that read it would), so siblings do
// not pile up.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "dynamo/quorum/request_options.hpp"
#include "load/latency_histogram.hpp"
#include "load/workload.hpp"

namespace load {

struct PhaseResult {
  std::string phase;  // "load" or "run"
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // this process and, if given, the cluster's processes
  LatencyHistogram reads;
  LatencyHistogram updates;
  LatencyHistogram all;
  LatencyHistogram lag;  // open loop: from when an operation fell due to when it was sent
  std::map<std::string, std::uint64_t> errors;  // message -> count

  double ops_per_second() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

// CPU seconds (user + system) used so far by this process.
inline double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

template <class ClientT>
class LoadDriver {
 public:
  // `external_cpu`, if set, returns CPU seconds used by processes outside this one (the
  // cluster's peers), so the CPU time per operation covers the whole system.
  LoadDriver(asio::io_context& io, std::vector<ClientT*> clients, Workload workload,
             std::uint64_t seed, std::function<double()> external_cpu = {})
      : io_(io),
        clients_(std::move(clients)),
        workload_(workload),
        chooser_(workload.distribution, workload.records),
        rng_(seed),
        external_cpu_(std::move(external_cpu)),
        contexts_(workload.records),
        value_(workload.value_size, 'v'),
        progress_(io),
        pacer_(io),
        busy_(clients_.size(), 0) {}

  PhaseResult load() { return phase(true); }
  PhaseResult run() { return phase(false); }

 private:
  using Clock = std::chrono::steady_clock;

  PhaseResult phase(bool loading) {
    loading_ = loading;
    result_ = PhaseResult{};
    result_.phase = loading ? "load" : "run";
    issued_ = 0;
    next_insert_ = 0;
    start_ = Clock::now();
    deadline_ = start_ + workload_.duration;
    const double cpu_before = cpu_now();
    open_loop_ = !loading && workload_.target_rate > 0;
    due_ = 0;
    backlog_.clear();
    if (open_loop_) {
      pace();
    } else {
      for (std::size_t c = 0; c < clients_.size(); ++c) {
        for (std::uint32_t k = 0; k < workload_.in_flight; ++k) issue(c, Clock::now());
      }
    }
    schedule_progress();
    while (outstanding_ > 0 || pacer_armed_ || !backlog_.empty()) io_.run_one();
    progress_.cancel();
    while (progress_armed_) io_.run_one();
    result_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    result_.cpu_seconds = cpu_now() - cpu_before;
    std::fprintf(stderr, "%s: done, %llu ops in %.1f s, %.0f ops/s\n", result_.phase.c_str(),
                 static_cast<unsigned long long>(result_.ok), result_.seconds,
                 result_.ops_per_second());
    if (open_loop_) {
      std::fprintf(stderr, "%s: sent after falling due: p50 %.3f ms, p99 %.3f ms\n",
                   result_.phase.c_str(), static_cast<double>(result_.lag.percentile(0.5)) / 1e6,
                   static_cast<double>(result_.lag.percentile(0.99)) / 1e6);
    }
    return result_;
  }

  double cpu_now() const { return own_cpu_seconds() + (external_cpu_ ? external_cpu_() : 0.0); }

  bool finished() const {
    if (loading_) return next_insert_ >= workload_.records;
    if (workload_.operations > 0) return issued_ >= workload_.operations;
    return Clock::now() >= deadline_;
  }

  // When operation k of the open loop falls due.
  Clock::time_point due_at(std::uint64_t k) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(k) / workload_.target_rate));
  }

  // Open loop: the operations that fell due go to idle clients or the backlog; then sleep until
  // the next falls due (at least 100 us, so that a high rate wakes this thread for a few at a
  // time), until the run's end.
  void pace() {
    const auto now = Clock::now();
    for (; due_at(due_) <= now && !finished(); ++due_) {
      backlog_.push_back(due_at(due_));
      ++issued_;
    }
    for (std::size_t c = 0; c < clients_.size() && !backlog_.empty(); ++c) {
      while (busy_[c] < workload_.in_flight && !backlog_.empty()) dispatch_backlog(c);
    }
    if (finished()) return;
    pacer_.expires_at(std::max(due_at(due_), now + std::chrono::microseconds(100)));
    pacer_armed_ = true;
    pacer_.async_wait([this](std::error_code) {
      pacer_armed_ = false;
      pace();
    });
  }

  void dispatch_backlog(std::size_t c) {
    const Clock::time_point due = backlog_.front();
    backlog_.pop_front();
    start_operation(c, due);
  }

  void issue(std::size_t c, Clock::time_point started) {
    if (finished()) return;
    ++issued_;
    start_operation(c, started);
  }

  void start_operation(std::size_t c, Clock::time_point started) {
    if (open_loop_) {
      result_.lag.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count()));
    }
    ++outstanding_;
    ++busy_[c];
    if (loading_) {
      put(c, next_insert_++, started, false);
      return;
    }
    const std::uint64_t record = chooser_.next(rng_);
    if (std::uniform_real_distribution<double>(0, 1)(rng_) < workload_.read_fraction) {
      get(c, record, started);
    } else {
      put(c, record, started, true);
    }
  }

  void get(std::size_t c, std::uint64_t record, Clock::time_point started) {
    clients_[c]->async_get(record_key(record), dynamo::ReadOptions{workload_.r, false},
                           [this, c, record, started](std::error_code ec, dynamo::GetResult r) {
                             if (!ec) contexts_[record] = std::move(r.context);
                             done(c, ec, started, result_.reads);
                           });
  }

  void put(std::size_t c, std::uint64_t record, Clock::time_point started, bool update) {
    clients_[c]->async_put(
        record_key(record), update ? contexts_[record] : dynamo::Context{}, value_,
        dynamo::WriteOptions{workload_.w, false},
        [this, c, record, started](std::error_code ec, dynamo::WriteResult w) {
          if (!ec) contexts_[record] = std::move(w.context);
          done(c, ec, started, result_.updates);
        });
  }

  void done(std::size_t c, std::error_code ec, Clock::time_point started, LatencyHistogram& h) {
    --outstanding_;
    --busy_[c];
    if (ec) {
      ++result_.failed;
      ++result_.errors[ec.message()];
    } else {
      const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started);
      const auto n = static_cast<std::uint64_t>(nanos.count());
      h.record(n);
      result_.all.record(n);
      ++result_.ok;
    }
    if (!open_loop_) return issue(c, Clock::now());
    if (!backlog_.empty()) dispatch_backlog(c);
  }

  void schedule_progress() {
    progress_.expires_after(std::chrono::seconds(1));
    progress_armed_ = true;
    progress_.async_wait([this](std::error_code ec) {
      progress_armed_ = false;
      if (ec || outstanding_ == 0) return;
      const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
      std::fprintf(stderr, "%s: %5.1f s, %llu ops, %.0f ops/s\n", result_.phase.c_str(), elapsed,
                   static_cast<unsigned long long>(result_.ok),
                   static_cast<double>(result_.ok) / elapsed);
      schedule_progress();
    });
  }

  asio::io_context& io_;
  std::vector<ClientT*> clients_;
  Workload workload_;
  KeyChooser chooser_;
  std::mt19937_64 rng_;
  std::function<double()> external_cpu_;
  std::vector<dynamo::Context> contexts_;
  dynamo::Value value_;
  asio::steady_timer progress_;
  asio::steady_timer pacer_;
  std::vector<std::uint32_t> busy_;              // requests outstanding per client
  std::deque<Clock::time_point> backlog_;        // open loop: due, waiting for a client

  bool loading_ = false;
  bool progress_armed_ = false;
  bool pacer_armed_ = false;
  bool open_loop_ = false;
  std::uint64_t due_ = 0;  // open loop: operations scheduled so far
  PhaseResult result_;
  std::uint64_t issued_ = 0;
  std::uint64_t next_insert_ = 0;
  std::uint64_t outstanding_ = 0;
  Clock::time_point start_;
  Clock::time_point deadline_;
};

}  // namespace load
