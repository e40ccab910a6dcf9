// InFlight and RequestIds, driven by hand with manual timers.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "dynamo/node/in_flight.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using dynamo::InFlight;
using dynamo::RequestIds;
using dynamo::RequestKind;
using dynamo::test::ManualTimers;

namespace {

struct Op {
  std::string name;
};

auto live_in(const ManualTimers& timers) {
  return [&timers](std::uint64_t id) { return timers.pending.contains(id); };
}

}  // namespace

TEST_CASE("request ids are unique across kinds and name their kind", "[in_flight]") {
  RequestIds ids(12345);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 100; ++i) {
    for (const RequestKind kind : {RequestKind::write, RequestKind::hint_delivery,
                                   RequestKind::relocation, RequestKind::untracked}) {
      const std::uint64_t id = ids.next(kind);
      CHECK(seen.insert(id).second);
      CHECK(RequestIds::kind_of(id) == kind);
      CHECK(id != 0);
    }
  }
  // An id no kind has: an answer naming it is no answer to anything of ours.
  CHECK_FALSE(RequestIds::kind_of(0).has_value());
  CHECK_FALSE(RequestIds::kind_of(0xF).has_value());
}

TEST_CASE("a request taken before its deadline never expires", "[in_flight]") {
  ManualTimers timers;
  RequestIds ids(1);
  std::vector<std::uint64_t> expired;
  InFlight<ManualTimers, Op> table(timers, ids, RequestKind::write,
                                   [&](std::uint64_t id) { expired.push_back(id); table.take(id); });
  const std::uint64_t a = table.start(Op{"a"}, 100ms);
  const std::uint64_t b = table.start(Op{"b"}, 200ms);
  CHECK(RequestIds::kind_of(a) == RequestKind::write);
  CHECK(table.size() == 2);
  REQUIRE(table.find(a) != nullptr);
  CHECK(table.find(a)->name == "a");

  const auto taken = table.take(a);
  REQUIRE(taken);
  CHECK(taken->name == "a");
  CHECK_FALSE(table.take(a).has_value());  // a late duplicate finds nothing
  CHECK(timers.pending.size() == 1);       // a's deadline was cancelled

  timers.advance(300ms);
  CHECK(expired == std::vector<std::uint64_t>{b});
  CHECK(table.empty());
  CHECK(timers.pending.empty());
}

TEST_CASE("a rearmed request expires at its new deadline, a parked one never", "[in_flight]") {
  ManualTimers timers;
  RequestIds ids(7);
  std::vector<std::pair<std::uint64_t, std::chrono::milliseconds>> expired;
  InFlight<ManualTimers, Op> table(timers, ids, RequestKind::fetch, [&](std::uint64_t id) {
    expired.emplace_back(id, timers.now);
    table.take(id);
  });
  const std::uint64_t a = table.start(Op{"a"}, 100ms);
  const std::uint64_t b = table.start(Op{"b"}, 100ms);
  timers.advance(50ms);
  table.rearm(a, 100ms);  // now due at 150ms
  table.park(b);
  CHECK(table.parked(b));
  CHECK_NOTHROW(table.check_invariants("fetch", live_in(timers), /*may_park=*/true));
  CHECK_THROWS_WITH(table.check_invariants("fetch", live_in(timers)),
                    Catch::Contains("in flight has a live timeout"));
  timers.advance(1000ms);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0] == std::make_pair(a, std::chrono::milliseconds{150}));
  CHECK(table.contains(b));
  table.rearm(b, 10ms);
  timers.advance(10ms);
  CHECK(table.empty());
}

TEST_CASE("a deadline handler that neither takes nor rearms is an invariant violation",
          "[in_flight]") {
  ManualTimers timers;
  RequestIds ids(7);
  InFlight<ManualTimers, Op> table(timers, ids, RequestKind::forward, [](std::uint64_t) {});
  table.start(Op{"forgotten"}, 10ms);
  CHECK_NOTHROW(table.check_invariants("forward", live_in(timers)));
  timers.advance(10ms);
  CHECK_THROWS_WITH(table.check_invariants("forward", live_in(timers)),
                    Catch::Contains("in flight has a live timeout"));
}

TEST_CASE("take_all returns every request and cancels every deadline, and so does destruction",
          "[in_flight]") {
  ManualTimers timers;
  RequestIds ids(99);
  int expired = 0;
  {
    InFlight<ManualTimers, Op> table(timers, ids, RequestKind::relocation,
                                     [&](std::uint64_t) { ++expired; });
    const std::uint64_t a = table.start(Op{"a"}, 10ms);
    const std::uint64_t b = table.start(Op{"b"}, 10ms);
    const auto all = table.take_all();
    REQUIRE(all.size() == 2);
    CHECK(all[0].first == a);
    CHECK(all[1].first == b);
    CHECK(all[1].second.name == "b");
    CHECK(timers.pending.empty());
    table.start(Op{"c"}, 10ms);
    CHECK(timers.pending.size() == 1);
  }
  CHECK(timers.pending.empty());  // the destroyed table left no timer behind
  timers.advance(100ms);
  CHECK(expired == 0);
}

TEST_CASE("tables drawing from one RequestIds never share an id", "[in_flight]") {
  ManualTimers timers;
  RequestIds ids(5);
  InFlight<ManualTimers, Op> writes(timers, ids, RequestKind::write, [](std::uint64_t) {});
  InFlight<ManualTimers, Op> hints(timers, ids, RequestKind::hint_delivery, [](std::uint64_t) {});
  const std::uint64_t w = writes.start(Op{"w"}, 10ms);
  const std::uint64_t h = hints.start(Op{"h"}, 10ms);
  CHECK(w != h);
  CHECK_FALSE(writes.contains(h));
  CHECK_FALSE(hints.contains(w));
  CHECK_NOTHROW(writes.check_invariants("write", live_in(timers)));
  CHECK_NOTHROW(hints.check_invariants("hint delivery", live_in(timers)));
  CHECK(writes.find_if([](const Op& op) { return op.name == "w"; }) == w);
  CHECK(writes.ids_if([](const Op& op) { return op.name == "x"; }).empty());
}
