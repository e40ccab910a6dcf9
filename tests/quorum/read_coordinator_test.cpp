// The quorum read a node and a client share, driven by hand through a fake context: who is
// asked when, when the caller is answered, the hedge, the one rule for the final error, and
// read repair.

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dynamo/quorum/read_coordinator.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using dynamo::ActorId;
using dynamo::errc;
using dynamo::Key;
using dynamo::QuorumReport;
using dynamo::Siblings;
using dynamo::quorum::ReadCoordinator;
using dynamo::quorum::ReadPacing;
using dynamo::quorum::ReadPlan;

namespace {

// A context that records what the coordinator does and keeps its timers for the test to fire.
// `own` is the node whose copy is read at once (a coordinating node's own storage).
struct FakeContext {
  std::string own;
  Siblings own_copy;
  std::uint64_t last_id = 100;
  dynamo::test::ManualTimers clock;
  std::vector<std::string> asked;
  std::vector<std::uint64_t> epochs;
  std::vector<std::string> slow_nodes, silent_nodes, repaired, unusable;

  std::optional<Siblings> ask(const std::string& node, std::uint64_t, const Key&,
                              std::uint64_t epoch) {
    asked.push_back(node);
    epochs.push_back(epoch);
    if (node == own) return own_copy;
    return std::nullopt;
  }
  bool usable(const std::string& node) const {
    return std::find(unusable.begin(), unusable.end(), node) == unusable.end();
  }
  void slow(const std::string& node, std::chrono::milliseconds) { slow_nodes.push_back(node); }
  void silent(const std::string& node, std::chrono::milliseconds) { silent_nodes.push_back(node); }
  void repair(const std::string& node, const Key&, const Siblings&) { repaired.push_back(node); }
  std::uint64_t schedule(std::chrono::milliseconds delay, std::function<void()> action) {
    return clock.schedule(delay, std::move(action));
  }
  void cancel(std::uint64_t timer) { clock.cancel(timer); }
  std::uint64_t next_id() { return ++last_id; }
  void advance(std::chrono::milliseconds d) { clock.advance(d); }
};

struct Outcome {
  int calls = 0;
  std::error_code ec;
  Siblings siblings;
  QuorumReport report;
  std::size_t asked_when_answered = 0;
};

Siblings version(std::uint64_t actor, const char* value) {
  Siblings s;
  s.add(s.successor(ActorId{actor}, 1, {}, value, false));
  return s;
}

ReadPlan plan_of(std::vector<std::pair<const char*, bool>> targets,
                 std::vector<std::string> stand_ins = {}, std::uint64_t epoch = 0) {
  ReadPlan plan;
  for (auto [node, primary] : targets) plan.targets.push_back({node, primary});
  plan.stand_ins = std::move(stand_ins);
  plan.epoch = epoch;
  return plan;
}

const ReadPacing node_pacing{1000ms, 500ms, true};
const ReadPacing client_pacing{1000ms, 50ms, false};

}  // namespace

TEST_CASE("a node's read asks every target at once and answers when R have, own copy included",
          "[quorum][read]") {
  FakeContext ctx;
  ctx.own = "a";
  ctx.own_copy = version(1, "v");
  ReadCoordinator<FakeContext> reads(ctx, node_pacing);
  Outcome out;
  reads.start("k", plan_of({{"a", true}, {"b", true}, {"c", true}}, {}, 7), 3, 2, false,
              [&](std::error_code ec, Siblings s, QuorumReport r) {
                ++out.calls, out.ec = ec, out.siblings = std::move(s), out.report = r;
                out.asked_when_answered = ctx.asked.size();
              });
  // The own copy is recorded only after every ask went out.
  CHECK(ctx.asked == std::vector<std::string>{"a", "b", "c"});
  CHECK(ctx.epochs == std::vector<std::uint64_t>{7, 7, 7});
  CHECK(out.calls == 0);
  reads.check_invariants();
  const std::uint64_t id = ctx.last_id;
  CHECK(reads.awaits(id, "b"));
  CHECK_FALSE(reads.awaits(id, "a"));
  CHECK(reads.on_reply(id, "b", version(1, "v")));
  CHECK(out.calls == 1);
  CHECK_FALSE(out.ec);
  CHECK(out.siblings == version(1, "v"));
  CHECK(out.report == QuorumReport{2, 2, false});
  CHECK(out.asked_when_answered == 3);
  // A duplicate and a stranger are not answers; c, answering with less, is repaired at the end.
  CHECK_FALSE(reads.on_reply(id, "b", version(1, "v")));
  CHECK_FALSE(reads.on_reply(id, "z", version(1, "v")));
  CHECK(reads.size() == 1);
  CHECK(reads.on_reply(id, "c", Siblings{}));
  CHECK(reads.size() == 0);
  CHECK(ctx.repaired == std::vector<std::string>{"c"});
  CHECK(ctx.clock.pending.empty());
  CHECK(out.calls == 1);
}

TEST_CASE("a client's read asks R first, and the rest at the hedge when one is slow",
          "[quorum][read][hedge]") {
  FakeContext ctx;
  ReadCoordinator<FakeContext> reads(ctx, client_pacing);
  Outcome out;
  reads.start("k", plan_of({{"a", true}, {"b", true}, {"c", true}}, {"d"}), 3, 2, false,
              [&](std::error_code ec, Siblings, QuorumReport r) { ++out.calls, out.ec = ec, out.report = r; });
  const std::uint64_t id = ctx.last_id;
  CHECK(ctx.asked == std::vector<std::string>{"a", "b"});
  CHECK(reads.on_reply(id, "a", version(1, "v")));
  ctx.advance(50ms);
  CHECK(ctx.slow_nodes == std::vector<std::string>{"b"});
  CHECK(ctx.asked == std::vector<std::string>{"a", "b", "c"});
  CHECK(reads.on_reply(id, "c", version(1, "v")));
  CHECK(out.calls == 1);
  CHECK_FALSE(out.ec);
  // b never answers: reported silent at the deadline, and nobody is repaired.
  ctx.advance(1000ms);
  CHECK(reads.size() == 0);
  CHECK(ctx.silent_nodes == std::vector<std::string>{"b"});
  CHECK(ctx.repaired.empty());
  CHECK(out.calls == 1);
}

TEST_CASE("once every target was asked, a sloppy read's hedge asks a usable stand-in per silent one, "
          "a strict read asks none",
          "[quorum][read][hedge]") {
  for (const bool strict : {false, true}) {
    INFO("strict " << strict);
    FakeContext ctx;
    ctx.unusable = {"d"};
    ReadCoordinator<FakeContext> reads(ctx, node_pacing);
    Outcome out;
    reads.start("k", plan_of({{"a", true}, {"b", true}, {"c", true}}, {"d", "e", "f"}), 3, 2,
                strict, [&](std::error_code ec, Siblings, QuorumReport r) {
                  ++out.calls, out.ec = ec, out.report = r;
                });
    const std::uint64_t id = ctx.last_id;
    CHECK(reads.on_reply(id, "a", version(1, "v")));
    ctx.advance(500ms);
    CHECK(ctx.slow_nodes == std::vector<std::string>{"b", "c"});
    if (strict) {
      CHECK(ctx.asked == std::vector<std::string>{"a", "b", "c"});
    } else {
      // d is not usable; e and f stand in for b and c.
      CHECK(ctx.asked == std::vector<std::string>{"a", "b", "c", "e", "f"});
      CHECK(reads.on_reply(id, "e", version(1, "v")));
      CHECK(out.calls == 1);
      CHECK_FALSE(out.ec);
      CHECK(out.report == QuorumReport{2, 2, false});
    }
    reads.check_invariants();
    ctx.advance(500ms);
    CHECK(reads.size() == 0);
    if (strict) {
      CHECK(out.ec == errc::quorum_not_reached);
      CHECK(out.report == QuorumReport{1, 2, true});
    }
  }
}

TEST_CASE("a read that ends at the deadline fails with timeout when nobody answered, "
          "quorum_not_reached when fewer than R did",
          "[quorum][read]") {
  for (const int answers : {0, 1}) {
    FakeContext ctx;
    ReadCoordinator<FakeContext> reads(ctx, client_pacing);
    Outcome out;
    reads.start("k", plan_of({{"a", true}, {"b", true}, {"c", true}}), 3, 2, true,
                [&](std::error_code ec, Siblings s, QuorumReport r) {
                  ++out.calls, out.ec = ec, out.siblings = std::move(s), out.report = r;
                });
    if (answers == 1) CHECK(reads.on_reply(ctx.last_id, "a", version(1, "v")));
    ctx.advance(1000ms);
    CHECK(out.calls == 1);
    CHECK(out.ec == (answers == 0 ? errc::timeout : errc::quorum_not_reached));
    CHECK(out.siblings.empty());
    CHECK(out.report == QuorumReport{static_cast<std::uint32_t>(answers), 2, true});
    CHECK(ctx.silent_nodes.size() == 3u - static_cast<std::size_t>(answers));
    CHECK(ctx.clock.pending.empty());
  }
}

TEST_CASE("a read the plan cannot meet is refused at once, saying how far it could get",
          "[quorum][read]") {
  FakeContext ctx;
  ReadCoordinator<FakeContext> reads(ctx, node_pacing);
  Outcome out;
  const auto record = [&](std::error_code ec, Siblings, QuorumReport r) {
    ++out.calls, out.ec = ec, out.report = r;
  };
  reads.start("k", plan_of({{"a", true}, {"d", false}}), 3, 4, false, record);
  CHECK(out.ec == errc::invalid_request);
  reads.start("k", plan_of({{"a", true}, {"d", false}}), 3, 2, true, record);
  CHECK(out.ec == errc::unavailable);
  CHECK(out.report == QuorumReport{1, 2, true});
  CHECK(out.calls == 2);
  CHECK(ctx.asked.empty());
  CHECK(reads.size() == 0);
}

TEST_CASE("an abandoned read hands back its key and callback, and fail_all answers every waiting caller",
          "[quorum][read]") {
  FakeContext ctx;
  ReadCoordinator<FakeContext> reads(ctx, client_pacing);
  Outcome first, second;
  reads.start("k1", plan_of({{"a", true}, {"b", true}}), 2, 1, false,
              [&](std::error_code ec, Siblings, QuorumReport) { ++first.calls, first.ec = ec; });
  const std::uint64_t id1 = ctx.last_id;
  reads.start("k2", plan_of({{"a", true}, {"b", true}}), 2, 2, true,
              [&](std::error_code ec, Siblings, QuorumReport) { ++second.calls, second.ec = ec; });
  auto abandoned = reads.abandon(id1);
  REQUIRE(abandoned);
  CHECK(abandoned->key == "k1");
  CHECK(abandoned->required == 1);
  CHECK_FALSE(abandoned->strict);
  CHECK(abandoned->done);
  CHECK_FALSE(reads.abandon(id1));
  CHECK(first.calls == 0);
  reads.fail_all(make_error_code(errc::shutdown));
  CHECK(second.calls == 1);
  CHECK(second.ec == errc::shutdown);
  CHECK(reads.size() == 0);
  CHECK(ctx.clock.pending.empty());
}

TEST_CASE("a pacing without a deadline or hedge delay is a configuration mistake", "[quorum][read]") {
  FakeContext ctx;
  CHECK_THROWS_AS(ReadCoordinator<FakeContext>(ctx, ReadPacing{0ms, 10ms, true}),
                  std::invalid_argument);
  CHECK_THROWS_AS(ReadCoordinator<FakeContext>(ctx, ReadPacing{10ms, 0ms, true}),
                  std::invalid_argument);
}
