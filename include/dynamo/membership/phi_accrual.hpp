#pragma once
// PhiAccrualDetector: how strongly to believe a peer has failed, from the arrival times of its
// heartbeats (Hayashibara et al., "The phi accrual failure detector", 2004). Instead of a yes/no
// after a fixed timeout it gives phi = -log10(P(a heartbeat arrives later than now)), under a
// normal distribution fitted to the recent inter-arrival times. phi = 1 means a 10% chance the
// peer is merely late, phi = 8 one in 10^8. The caller picks the threshold, trading detection
// time against false positives, and the detector adapts to the network it is on.
//
// As in Akka's variant: the standard deviation has a floor (a perfectly regular sender would
// otherwise turn a 1 ms delay into certainty), and an acceptable pause is added to the mean, so
// a garbage-collection-like stall of that length is not yet suspicious.

#include <chrono>
#include <cmath>
#include <cstddef>
#include <deque>

namespace dynamo::membership {

class PhiAccrualDetector {
 public:
  struct Options {
    std::size_t window = 200;                           // inter-arrival times remembered
    std::chrono::milliseconds first_interval{1000};     // assumed before any is measured
    std::chrono::milliseconds min_std_dev{200};
    std::chrono::milliseconds acceptable_pause{1000};
  };

  PhiAccrualDetector() : PhiAccrualDetector(Options{}) {}
  explicit PhiAccrualDetector(Options options) : options_(options) {}

  // A heartbeat arrived at `at` (monotonic time).
  void heartbeat(std::chrono::milliseconds at) {
    if (!has_heartbeat_) {
      // Two samples around the expected interval, so the first estimate has a spread.
      const double first = static_cast<double>(options_.first_interval.count());
      add(first - first / 4);
      add(first + first / 4);
    } else if (at > last_) {
      add(static_cast<double>((at - last_).count()));
    }
    last_ = at;
    has_heartbeat_ = true;
  }

  // Restarts the clock at `at` without taking a sample: the peer proved alive some other way.
  void touch(std::chrono::milliseconds at) {
    if (has_heartbeat_ && at > last_) last_ = at;
  }

  // Suspicion at `now`; 0 before the first heartbeat.
  double phi(std::chrono::milliseconds now) const {
    if (!has_heartbeat_ || intervals_.empty()) return 0.0;
    const double n = static_cast<double>(intervals_.size());
    const double mean = sum_ / n;
    const double variance = std::max(0.0, squares_ / n - mean * mean);
    const double floor = static_cast<double>(options_.min_std_dev.count());
    const double std_dev = std::max(std::sqrt(variance), floor);
    const double elapsed = static_cast<double>((now - last_).count());
    return phi_of(elapsed, mean + static_cast<double>(options_.acceptable_pause.count()), std_dev);
  }

  bool has_heartbeat() const { return has_heartbeat_; }
  std::chrono::milliseconds last_heartbeat() const { return last_; }

 private:
  // -log10(1 - F(elapsed)) for the normal distribution (mean, std_dev), with F approximated by a
  // logistic function (Bowling et al. 2009), which stays finite far into the tail.
  static double phi_of(double elapsed, double mean, double std_dev) {
    const double y = (elapsed - mean) / std_dev;
    const double e = std::exp(-y * (1.5976 + 0.070566 * y * y));
    if (elapsed > mean) return -std::log10(e / (1.0 + e));
    return -std::log10(1.0 - 1.0 / (1.0 + e));
  }

  void add(double interval) {
    intervals_.push_back(interval);
    sum_ += interval;
    squares_ += interval * interval;
    if (intervals_.size() > options_.window) {
      const double old = intervals_.front();
      intervals_.pop_front();
      sum_ -= old;
      squares_ -= old * old;
    }
  }

  Options options_;
  std::deque<double> intervals_;
  double sum_ = 0;
  double squares_ = 0;
  std::chrono::milliseconds last_{0};
  bool has_heartbeat_ = false;
};

}  // namespace dynamo::membership
