#pragma once
// Seeded generators of clocks and causal histories for the core property tests.

#include <random>

#include "dynamo/core/vector_clock.hpp"

namespace dynamo::test {

// A clock over actors 1..actors with small counters, so that comparable pairs are common.
inline VectorClock random_clock(std::mt19937_64& rng, int actors = 4, int max_counter = 3) {
  VectorClock c;
  std::uniform_int_distribution<int> counter(0, max_counter);
  for (int a = 1; a <= actors; ++a) {
    const int n = counter(rng);
    if (n > 0) c.witness(ActorId{static_cast<std::uint64_t>(a)}, n, 1000 + a);
  }
  return c;
}

}  // namespace dynamo::test
