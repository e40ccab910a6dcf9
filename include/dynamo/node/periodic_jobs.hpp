#pragma once
// PeriodicJobs: a node's background work as named jobs, each on its own interval (gossip,
// hinted handoff, transfer, tombstone collection, anti-entropy, storage maintenance), so one
// job's pace never depends on another's setting. Jobs run on the owner's timers (sans-I/O: the
// Transport's schedule and cancel) and re-arm themselves after each run.
//
// Thread safety: none; its owner calls it from one executor.

#include <cassert>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dynamo/node/one_shot_timers.hpp"

namespace dynamo {

template <OneShotTimers Timers>
class PeriodicJobs {
 public:
  // A job's work. It returns the delay before its next run: nullopt for its interval, or a
  // shorter one when more is waiting (storage maintenance in bounded steps).
  using Work = std::function<std::optional<std::chrono::milliseconds>()>;

  explicit PeriodicJobs(Timers& timers) : timers_(timers) {}
  PeriodicJobs(const PeriodicJobs&) = delete;
  PeriodicJobs& operator=(const PeriodicJobs&) = delete;
  ~PeriodicJobs() { stop(); }

  // Adds job `name`, first run one `interval` from now. Throws std::invalid_argument for a
  // non-positive interval or a name already taken (a configuration mistake at start-up).
  void add(std::string name, std::chrono::milliseconds interval, Work work) {
    if (interval.count() <= 0) throw std::invalid_argument(name + ": interval must be positive");
    for (const Job& job : jobs_) {
      if (job.name == name) throw std::invalid_argument(name + ": a job of this name exists");
    }
    assert(!stopped_);
    jobs_.push_back(Job{std::move(name), interval, std::move(work), 0});
    arm(jobs_.size() - 1, interval);
  }

  // Cancels every job for good. Idempotent.
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    for (Job& job : jobs_) {
      if (job.timer != 0) timers_.cancel(job.timer);
      job.timer = 0;
    }
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Job& job : jobs_) out.push_back(job.name);
    return out;
  }
  std::optional<std::chrono::milliseconds> interval(std::string_view name) const {
    for (const Job& job : jobs_) {
      if (job.name == name) return job.interval;
    }
    return std::nullopt;
  }

  // Throws std::logic_error naming a job that is not armed while the jobs run, or armed after
  // stop(). `live(timer)` tells whether a timer id is still due, where the owner can tell.
  template <class Live>
  void check_invariants(Live live) const {
    for (const Job& job : jobs_) {
      if (!stopped_ && (job.timer == 0 || !live(job.timer))) {
        throw std::logic_error("periodic job " + job.name + " not armed");
      }
      if (stopped_ && job.timer != 0) throw std::logic_error("periodic job " + job.name + " armed after stop");
    }
  }
  void check_invariants() const {
    check_invariants([](std::uint64_t) { return true; });
  }

 private:
  struct Job {
    std::string name;
    std::chrono::milliseconds interval;
    Work work;
    std::uint64_t timer = 0;
  };

  // Jobs are only appended, so an index stays valid for the jobs' life.
  void arm(std::size_t index, std::chrono::milliseconds delay) {
    jobs_[index].timer = timers_.schedule(delay, [this, index] { run(index); });
  }
  void run(std::size_t index) {
    jobs_[index].timer = 0;
    const std::optional<std::chrono::milliseconds> next = jobs_[index].work();
    if (!stopped_) arm(index, next.value_or(jobs_[index].interval));
  }

  Timers& timers_;
  std::vector<Job> jobs_;
  bool stopped_ = false;
};

}  // namespace dynamo
