#pragma once
// Which record an operation touches, as YCSB chooses it: uniform over the records, or zipfian
// (Gray et al., "Quickly generating billion-record synthetic databases", SIGMOD 1994, with
// YCSB's constant 0.99) with the ranks scrambled by a hash so the hot records are spread over
// the ring instead of being the first few keys.

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

namespace load {

enum class Distribution { uniform, zipfian };

class KeyChooser {
 public:
  KeyChooser(Distribution distribution, std::uint64_t records, double theta = 0.99)
      : distribution_(distribution), records_(records), theta_(theta) {
    if (records == 0) throw std::invalid_argument("the record count must be at least 1");
    if (distribution_ == Distribution::zipfian) {
      zetan_ = zeta(records_);
      const double zeta2 = zeta(2);
      alpha_ = 1.0 / (1.0 - theta_);
      eta_ = (1.0 - std::pow(2.0 / static_cast<double>(records_), 1.0 - theta_)) /
             (1.0 - zeta2 / zetan_);
    }
  }

  template <class Rng>
  std::uint64_t next(Rng& rng) {
    if (distribution_ == Distribution::uniform) {
      return std::uniform_int_distribution<std::uint64_t>(0, records_ - 1)(rng);
    }
    return scramble(rank(rng));
  }

  // The zipfian rank before scrambling: 0 is the most popular record. Public for the tests.
  template <class Rng>
  std::uint64_t rank(Rng& rng) {
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const double uz = u * zetan_;
    if (uz < 1.0 || records_ == 1) return 0;
    if (uz < 1.0 + std::pow(0.5, theta_)) return 1;
    const auto r = static_cast<std::uint64_t>(static_cast<double>(records_) *
                                              std::pow(eta_ * u - eta_ + 1.0, alpha_));
    return std::min(r, records_ - 1);
  }

  // The share of operations the most popular record gets: 1 / zeta(records).
  double top_share() const { return 1.0 / zetan_; }

 private:
  double zeta(std::uint64_t n) const {
    double sum = 0;
    for (std::uint64_t i = 1; i <= n; ++i) sum += 1.0 / std::pow(static_cast<double>(i), theta_);
    return sum;
  }
  // FNV-1a over the rank's bytes, as YCSB's ScrambledZipfianGenerator does.
  std::uint64_t scramble(std::uint64_t rank) const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < 8; ++i) {
      h ^= (rank >> (8 * i)) & 0xff;
      h *= 0x100000001b3ULL;
    }
    return h % records_;
  }

  Distribution distribution_;
  std::uint64_t records_;
  double theta_;
  double zetan_ = 1;
  double alpha_ = 0;
  double eta_ = 0;
};

// YCSB's key for record i: "user" followed by the number.
inline std::string record_key(std::uint64_t i) { return "user" + std::to_string(i); }

}  // namespace load
