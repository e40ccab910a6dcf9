#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "dynamo/core/vector_clock.hpp"
#include "support/clock_gen.hpp"

using dynamo::ActorId;
using dynamo::Order;
using dynamo::VectorClock;

namespace {
const ActorId a{1}, b{2}, c{3};

VectorClock clock_of(std::initializer_list<std::pair<ActorId, std::uint64_t>> entries) {
  VectorClock clock;
  for (auto [actor, counter] : entries) clock.witness(actor, counter, 100);
  return clock;
}

bool counters_le(const VectorClock& x, const VectorClock& y) {
  for (const auto& e : x.entries()) {
    if (y.counter(e.actor) < e.counter) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("compare distinguishes before, after, equal and concurrent", "[clock]") {
  const VectorClock x = clock_of({{a, 1}});
  const VectorClock y = clock_of({{a, 2}});
  const VectorClock z = clock_of({{a, 1}, {b, 1}});
  CHECK(x.compare(y) == Order::before);
  CHECK(y.compare(x) == Order::after);
  CHECK(x.compare(clock_of({{a, 1}})) == Order::equal);
  CHECK(y.compare(z) == Order::concurrent);
  CHECK(VectorClock{}.compare(x) == Order::before);
  CHECK(VectorClock{}.compare(VectorClock{}) == Order::equal);
}

TEST_CASE("compare ignores timestamps", "[clock]") {
  VectorClock x, y;
  x.witness(a, 3, 10);
  y.witness(a, 3, 99);
  CHECK(x.compare(y) == Order::equal);
  CHECK_FALSE(x == y);
}

TEST_CASE("increment advances one actor and keeps entries sorted", "[clock]") {
  VectorClock x;
  x.increment(c, 5);
  x.increment(a, 6);
  x.increment(c, 7);
  REQUIRE(x.size() == 2);
  CHECK(x.entries()[0].actor == a);
  CHECK(x.counter(c) == 2);
  CHECK(x.entries()[1].timestamp == 7);
  CHECK(x.covers(dynamo::Dot{c, 2}));
  CHECK_FALSE(x.covers(dynamo::Dot{c, 3}));
  CHECK_FALSE(x.covers(dynamo::Dot{b, 1}));
}

TEST_CASE("prune drops the oldest timestamps first and is deterministic", "[clock]") {
  VectorClock x;
  for (std::uint64_t i = 1; i <= 12; ++i) x.witness(ActorId{i}, 1, 1000 - i);  // actor 12 oldest
  VectorClock y = x;
  x.prune(10);
  y.prune(10);
  CHECK(x == y);
  REQUIRE(x.size() == 10);
  CHECK(x.counter(ActorId{12}) == 0);
  CHECK(x.counter(ActorId{11}) == 0);
  CHECK(x.counter(ActorId{10}) == 1);
}

TEST_CASE("prune breaks timestamp ties by smaller actor and never drops the kept actor",
          "[clock]") {
  VectorClock x;
  for (std::uint64_t i = 1; i <= 4; ++i) x.witness(ActorId{i}, 1, 50);
  VectorClock y = x;
  x.prune(2);
  CHECK(x.counter(ActorId{1}) == 0);
  CHECK(x.counter(ActorId{2}) == 0);
  CHECK(x.counter(ActorId{4}) == 1);
  y.prune(1, ActorId{1});
  REQUIRE(y.size() == 1);
  CHECK(y.counter(ActorId{1}) == 1);
}

TEST_CASE("increment past the default bound keeps ten entries including the incrementer",
          "[clock]") {
  VectorClock x;
  for (std::uint64_t i = 1; i <= 10; ++i) x.witness(ActorId{i}, 1, i);
  x.increment(ActorId{99}, 5);
  CHECK(x.size() == VectorClock::default_max_entries);
  CHECK(x.counter(ActorId{99}) == 1);
  CHECK(x.counter(ActorId{1}) == 0);
}

TEST_CASE("from_sorted rejects unsorted, duplicate and zero-counter entries", "[clock]") {
  using E = dynamo::ClockEntry;
  const E one{a, 1, 0}, two{b, 2, 0}, zero{c, 0, 0};
  CHECK(VectorClock::from_sorted(std::vector<E>{one, two}).has_value());
  CHECK_FALSE(VectorClock::from_sorted(std::vector<E>{two, one}).has_value());
  CHECK_FALSE(VectorClock::from_sorted(std::vector<E>{one, one}).has_value());
  CHECK_FALSE(VectorClock::from_sorted(std::vector<E>{one, zero}).has_value());
}

TEST_CASE("clocks print for test failure messages", "[clock]") {
  std::ostringstream os;
  os << clock_of({{a, 2}}) << ' ' << Order::concurrent;
  CHECK(os.str() == "{1:2@100} concurrent");
}

TEST_CASE("property: compare is a partial order", "[clock][property]") {
  std::mt19937_64 rng(20071014);
  for (int i = 0; i < 2000; ++i) {
    const VectorClock x = dynamo::test::random_clock(rng);
    const VectorClock y = dynamo::test::random_clock(rng);
    const VectorClock z = dynamo::test::random_clock(rng);
    CHECK(x.compare(x) == Order::equal);
    const Order xy = x.compare(y);
    const Order yx = y.compare(x);
    if (xy == Order::before) CHECK(yx == Order::after);
    if (xy == Order::equal) CHECK(yx == Order::equal);
    if (xy == Order::concurrent) CHECK(yx == Order::concurrent);
    if (x.descends(y) && y.descends(z)) CHECK(x.descends(z));
    CHECK(x.descends(y) == counters_le(y, x));
  }
}

TEST_CASE("property: merge is commutative, associative, idempotent and an upper bound",
          "[clock][property]") {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    const VectorClock x = dynamo::test::random_clock(rng);
    const VectorClock y = dynamo::test::random_clock(rng);
    const VectorClock z = dynamo::test::random_clock(rng);
    CHECK(merged(x, y) == merged(y, x));
    CHECK(merged(merged(x, y), z) == merged(x, merged(y, z)));
    CHECK(merged(x, x) == x);
    const VectorClock m = merged(x, y);
    CHECK(m.descends(x));
    CHECK(m.descends(y));
    // Consistent with compare: the merge is y itself exactly when y has seen x.
    CHECK((m.compare(y) == Order::equal) == y.descends(x));
  }
}
