// WriteCoordinator driven by hand: a fake context records what it sends, suspects and keeps.

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dynamo/membership/ring_view.hpp"
#include "dynamo/node/write_coordinator.hpp"
#include "dynamo/ring/partition_planner.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using namespace dynamo;
using dynamo::test::ManualTimers;

namespace {

const ring::RingParams params{ring::HashKind::xxh3_128, 64};

membership::RingView founded(std::vector<std::string> names) {
  std::vector<ring::Member> members;
  for (auto& name : names) members.push_back({std::move(name), {}, 1, {}});
  std::string why;
  auto view = membership::RingView::build(
      params, 3, membership::RingState{1, ring::assign_initial(params, members), {}, {}}, why);
  REQUIRE(view);
  return *view;
}

struct FakeContext {
  std::string self;
  std::set<std::string> down;
  std::vector<std::pair<std::string, wire::Message>> sent;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> suspected;
  std::map<std::string, Siblings> hints;  // by owner (one key per test)
  Siblings local;
  std::uint64_t counter = 0;

  bool usable(const std::string& node) const { return !down.contains(node); }
  void suspect(const std::string& node, std::chrono::milliseconds waited) {
    suspected.emplace_back(node, waited);
  }
  bool is_self(const std::string& node) const { return node == self; }
  void send(const std::string& node, const wire::Message& m) { sent.emplace_back(node, m); }
  void merge_local(const ReplicaTarget& target, ring::Position, std::string_view key,
                   const Siblings& s) {
    if (target.primary || target.pending) {
      local.merge(s);
    } else {
      merge_into_hint(target.hint_owner, key, s);
    }
  }
  void merge_into_hint(const std::string& owner, std::string_view, const Siblings& s) {
    hints[owner].merge(s);
  }
  std::optional<Siblings> stored(ring::Position, std::string_view) const {
    return local.empty() ? std::nullopt : std::optional<Siblings>(local);
  }
  void when_durable(std::function<void()> action) { action(); }
  ActorId actor() const { return ActorId{7}; }
  ActorId one_off_actor() { return ActorId{1000 + ++counter}; }
  std::uint64_t wall_clock_ms() const { return 1000; }
  void unmatched() {}
};

struct Fixture {
  membership::RingView view = founded({"a", "b", "c", "d", "e"});
  std::string key = "cart:1";
  // The key's preference list, home replicas first; the coordinator is its first home replica.
  std::vector<std::string> preference = [this] {
    std::vector<std::string> names;
    for (auto i : view.current().preference_list_for_key(key)) {
      names.push_back(view.current().member(i).name);
    }
    return names;
  }();
  ManualTimers timers;
  RequestIds ids{100};
  FakeContext context = [this] {
    FakeContext c;
    c.self = preference.at(0);
    return c;
  }();
  WriteCoordinator<ManualTimers, FakeContext> writes{
      timers, ids, context, {3, 2, VectorClock::default_max_entries, 1000ms, preference.at(0)}};
  ReplicaPlan plan() const {
    return plan_replicas(view.current(), 3, ring::hash_key(params.hash, key),
                         [this](const std::string& n) { return context.usable(n); });
  }
  // Starts a put of "v"; the result lands in `result`.
  struct Result {
    bool called = false;
    std::error_code ec;
    QuorumReport report;
  };
  void put(Result& result, WriteOptions options = {}) {
    writes.start(key, plan(), view, {}, Value("v"), options,
                 [&result](std::error_code ec, Siblings, QuorumReport report) {
                   result = {true, ec, report};
                 });
  }
  std::uint64_t id_sent_to(const std::string& node) const {
    for (const auto& [to, m] : context.sent) {
      if (to != node) continue;
      if (const auto* w = std::get_if<wire::ReplicaWrite>(&m)) return w->request_id;
      if (const auto* h = std::get_if<wire::HintedWrite>(&m)) return h->request_id;
    }
    return 0;
  }
};

}  // namespace

TEST_CASE("a write completes once W replicas acknowledged and finishes when all did",
          "[write_coordinator]") {
  Fixture f;
  Fixture::Result result;
  f.put(result);
  // Its own copy is written and acknowledged at once; the two other home replicas are asked.
  CHECK(f.context.local.size() == 1);
  const std::uint64_t id = f.id_sent_to(f.preference[1]);
  REQUIRE(id != 0);
  CHECK(f.id_sent_to(f.preference[2]) == id);
  CHECK(RequestIds::kind_of(id) == RequestKind::write);
  CHECK_FALSE(result.called);
  REQUIRE(f.writes.on_ack(id, f.preference[1]));
  CHECK(result.called);
  CHECK_FALSE(result.ec);
  CHECK(result.report.replied == 2);
  CHECK(f.writes.size() == 1);  // still waits for the third
  CHECK_FALSE(f.writes.on_ack(id, f.preference[1]));  // a duplicate matches nothing
  CHECK_FALSE(f.writes.on_ack(id, f.preference[4]));  // nor does a node never asked
  REQUIRE(f.writes.on_ack(id, f.preference[2]));
  CHECK(f.writes.size() == 0);
  CHECK(f.timers.pending.empty());
  CHECK(f.context.hints.empty());
}

TEST_CASE("halfway to the deadline a silent home replica is suspected and a spare stands in",
          "[write_coordinator]") {
  Fixture f;
  Fixture::Result result;
  f.put(result);
  const std::uint64_t id = f.id_sent_to(f.preference[1]);
  f.timers.advance(499ms);
  CHECK(f.context.suspected.empty());
  f.timers.advance(1ms);
  // Both silent home replicas are suspected after half the request timeout ...
  CHECK(f.context.suspected ==
        std::vector<std::pair<std::string, std::chrono::milliseconds>>{{f.preference[1], 500ms},
                                                                       {f.preference[2], 500ms}});
  // ... and each spare gets a hinted write for the owner it stands in for.
  const auto* hinted = std::get_if<wire::HintedWrite>(&f.context.sent.back().second);
  REQUIRE(hinted);
  CHECK(f.context.sent.back().first == f.preference[4]);
  CHECK(hinted->intended_owner == f.preference[2]);
  CHECK(hinted->request_id == id);
  REQUIRE(f.writes.on_ack(id, f.preference[3]));
  CHECK(result.called);
  CHECK_FALSE(result.ec);
}

TEST_CASE("at the deadline every owner no acknowledged target covered gets a hint kept here",
          "[write_coordinator]") {
  Fixture f;
  f.context.down = {f.preference[3], f.preference[4]};  // no spare to stand in
  Fixture::Result result;
  f.put(result);
  const std::uint64_t id = f.id_sent_to(f.preference[1]);
  REQUIRE(f.writes.on_ack(id, f.preference[1]));
  CHECK(result.called);
  f.timers.advance(1000ms);
  CHECK(f.writes.size() == 0);
  // preference[2] never answered: its copy waits here as a hint; the others are covered.
  CHECK(f.context.hints.size() == 1);
  CHECK(f.context.hints.contains(f.preference[2]));
  CHECK(f.context.suspected.back() == std::make_pair(f.preference[2], 500ms));
  CHECK(f.timers.pending.empty());
}

TEST_CASE("a write with too few usable replicas fails at once, strict ones count home replicas",
          "[write_coordinator]") {
  Fixture f;
  f.context.down = {f.preference[1], f.preference[2], f.preference[3]};
  Fixture::Result sloppy;
  f.put(sloppy);  // self and preference[4] (a fallback): 2 targets, W=2: accepted
  CHECK_FALSE(sloppy.called);
  Fixture::Result strict;
  f.put(strict, WriteOptions{0, true});  // only one home replica (self) is usable
  REQUIRE(strict.called);
  CHECK(strict.ec == make_error_code(errc::unavailable));
  CHECK(strict.report.replied == 1);
  CHECK(strict.report.required == 2);
  Fixture::Result too_many;
  f.put(too_many, WriteOptions{4, false});  // W > N
  CHECK(too_many.ec == make_error_code(errc::invalid_request));
}

TEST_CASE("fail_all fails every write in flight and leaves no timer", "[write_coordinator]") {
  Fixture f;
  Fixture::Result a, b;
  f.put(a);
  f.put(b);
  f.writes.fail_all(make_error_code(errc::shutdown));
  CHECK(a.ec == make_error_code(errc::shutdown));
  CHECK(b.ec == make_error_code(errc::shutdown));
  CHECK(f.writes.size() == 0);
  CHECK(f.timers.pending.empty());
}

TEST_CASE("a write that lost its deadline breaks the coordinator's invariants",
          "[write_coordinator]") {
  Fixture f;
  Fixture::Result result;
  f.put(result);
  const auto live = [&f](std::uint64_t t) { return f.timers.pending.contains(t); };
  CHECK_NOTHROW(f.writes.check_invariants(live));
  f.timers.pending.clear();
  CHECK_THROWS_WITH(f.writes.check_invariants(live),
                    Catch::Contains("every write in flight has a live timeout"));
}

TEST_CASE("a home replica's dots carry its actor with a rising counter, any other coordinator's "
          "a one-off actor",
          "[write_coordinator]") {
  const auto dot_sent = [](const Fixture& f) {
    const auto& write = std::get<wire::ReplicaWrite>(f.context.sent.back().second);
    Dot newest{};
    for (const Versioned& v : write.siblings.versions()) newest = std::max(newest, v.dot);
    return newest;
  };
  Fixture home;
  Fixture::Result first, second;
  home.put(first);
  CHECK(dot_sent(home) == Dot{ActorId{7}, 1});
  home.put(second);
  CHECK(dot_sent(home) == Dot{ActorId{7}, 2});

  Fixture stranger;
  stranger.context.self = "not-a-replica";  // the sloppy quorum's last resort
  Fixture::Result result;
  stranger.put(result);
  const Dot dot = dot_sent(stranger);
  CHECK(dot.actor != ActorId{7});
  CHECK(dot.counter == 1);
}
