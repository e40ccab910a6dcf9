#include <catch2/catch.hpp>

#include <random>

#include "dynamo/membership/phi_accrual.hpp"

using dynamo::membership::PhiAccrualDetector;
using namespace std::chrono_literals;

TEST_CASE("phi is zero before any heartbeat and grows with silence", "[membership][phi]") {
  PhiAccrualDetector d;
  CHECK(d.phi(10s) == 0.0);
  std::chrono::milliseconds t{0};
  for (int i = 0; i < 50; ++i) d.heartbeat(t += 1000ms);
  double last = d.phi(t);
  CHECK(last < 1.0);  // right on time
  for (auto silence = 500ms; silence <= 20s; silence += 500ms) {
    const double now = d.phi(t + silence);
    CHECK(now >= last);
    last = now;
  }
  CHECK(d.phi(t + 1500ms) < 1.0);  // within the acceptable pause
  CHECK(d.phi(t + 6s) > 8.0);      // long past it
}

TEST_CASE("phi adapts to how regular the heartbeats have been", "[membership][phi]") {
  PhiAccrualDetector steady, jittery;
  std::mt19937_64 rng(5);
  std::chrono::milliseconds a{0}, b{0};
  for (int i = 0; i < 200; ++i) {
    steady.heartbeat(a += 1000ms);
    jittery.heartbeat(b += std::chrono::milliseconds(200 + rng() % 1600));
  }
  // The same silence is more suspicious from a peer that has always been punctual.
  CHECK(steady.phi(a + 4s) > jittery.phi(b + 4s));
}

TEST_CASE("touch restarts the clock without taking the gap as a sample", "[membership][phi]") {
  PhiAccrualDetector d;
  std::chrono::milliseconds t{0};
  for (int i = 0; i < 20; ++i) d.heartbeat(t += 1000ms);
  CHECK(d.phi(t + 30s) > 8.0);
  d.touch(t + 30s);
  CHECK(d.phi(t + 30s) < 1.0);
  CHECK(d.phi(t + 36s) > 8.0);  // the 30 s gap did not widen the distribution
}
