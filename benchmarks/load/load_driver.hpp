#pragma once
// LoadDriver: drives a workload through dynamo Clients that share one io_context, closed-loop:
// every client keeps `in_flight` requests outstanding and issues the next as one completes. The
// load phase inserts each record once; the run phase reads and updates. An update writes with
// the context last seen for its record (as an application that read it would), so siblings do
// not pile up.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "dynamo/node/request_options.hpp"
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
        progress_(io) {}

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
    for (std::size_t c = 0; c < clients_.size(); ++c) {
      for (std::uint32_t k = 0; k < workload_.in_flight; ++k) issue(c);
    }
    schedule_progress();
    while (outstanding_ > 0) io_.run_one();
    progress_.cancel();
    while (progress_armed_) io_.run_one();
    result_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    result_.cpu_seconds = cpu_now() - cpu_before;
    std::fprintf(stderr, "%s: done, %llu ops in %.1f s, %.0f ops/s\n", result_.phase.c_str(),
                 static_cast<unsigned long long>(result_.ok), result_.seconds,
                 result_.ops_per_second());
    return result_;
  }

  double cpu_now() const { return own_cpu_seconds() + (external_cpu_ ? external_cpu_() : 0.0); }

  bool finished() const {
    if (loading_) return next_insert_ >= workload_.records;
    if (workload_.operations > 0) return issued_ >= workload_.operations;
    return Clock::now() >= deadline_;
  }

  void issue(std::size_t c) {
    if (finished()) return;
    ++issued_;
    ++outstanding_;
    const auto started = Clock::now();
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
    issue(c);
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

  bool loading_ = false;
  bool progress_armed_ = false;
  PhaseResult result_;
  std::uint64_t issued_ = 0;
  std::uint64_t next_insert_ = 0;
  std::uint64_t outstanding_ = 0;
  Clock::time_point start_;
  Clock::time_point deadline_;
};

}  // namespace load
