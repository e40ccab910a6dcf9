// RingMembership driven by hand: loading, taking rings, the claimant's changes and their
// completion, through a fake context.

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "dynamo/node/ring_membership.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using namespace dynamo;
using dynamo::test::ManualTimers;

namespace {

struct FakeContext {
  ManualTimers* timers = nullptr;
  std::map<std::string, std::string, std::less<>> meta;
  std::vector<std::pair<std::string, wire::Message>> sent;
  std::vector<std::pair<std::string, wire::Message>> forwarded;
  std::vector<std::vector<std::string>> members_seen;
  std::vector<std::uint64_t> ring_changes;  // the epoch before each change
  std::uint64_t fetched = 0;
  std::uint64_t last_id = 0;

  std::chrono::milliseconds now() const { return timers->now; }
  void send(const std::string& node, const wire::Message& m) { sent.emplace_back(node, m); }
  void forward(const std::string& node, wire::Message m,
               std::function<void(const wire::Status&, const wire::Message*)>) {
    forwarded.emplace_back(node, std::move(m));
  }
  bool usable(const std::string&) const { return true; }
  bool is_down(const std::string&) const { return false; }
  std::optional<std::string> get_meta(std::string_view name) const {
    const auto it = meta.find(name);
    return it == meta.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  void put_meta(std::string_view name, std::string value) { meta[std::string(name)] = value; }
  void members_changed(const std::vector<std::string>& names) { members_seen.push_back(names); }
  void heard_heartbeat(const std::string&) {}
  std::uint64_t fetched_epoch() const { return fetched; }
  void on_ring_change(std::uint64_t before, bool) { ring_changes.push_back(before); }
  std::uint64_t untracked_id() { return ++last_id; }
  void log(LogLevel, std::string_view, std::string, std::vector<LogField> = {}) const {}
};

Config config_of(std::string name) {
  Config config;
  config.name = std::move(name);
  config.members = {{"a", "", 1, ""}, {"b", "", 1, ""}, {"c", "", 1, ""}};
  config.ring = ring::RingParams{ring::HashKind::xxh3_128, 16};
  return config;
}

struct Node {
  Config config;
  ManualTimers timers;
  RequestIds ids{1};
  FakeContext context;
  RingMembership<ManualTimers, FakeContext> membership;

  explicit Node(std::string name, std::map<std::string, std::string, std::less<>> meta = {})
      : config(config_of(std::move(name))),
        context(make_context(timers, std::move(meta))),
        membership(timers, ids, context, config, 1) {
    membership.load();
  }
  static FakeContext make_context(ManualTimers& timers,
                                  std::map<std::string, std::string, std::less<>> meta) {
    FakeContext c;
    c.timers = &timers;
    c.meta = std::move(meta);
    return c;
  }
  // Heartbeats from b and c saying they hold ring `epoch` and fetched up to `fetched`.
  void heartbeats(std::uint64_t epoch, std::uint64_t fetched, std::uint64_t version) {
    membership.on_gossip("b",
                         {{"b", 1, version, 0, epoch, fetched}, {"c", 1, version, 0, epoch, fetched}},
                         /*is_reply=*/true);
  }
};

std::vector<std::string> sent_ring_replies_to(const FakeContext& c) {
  std::vector<std::string> to;
  for (const auto& [node, m] : c.sent) {
    if (std::holds_alternative<wire::RingReply>(m)) to.push_back(node);
  }
  return to;
}

}  // namespace

TEST_CASE("a founder takes the founders' ring, persists it and tells the node once",
          "[ring_membership]") {
  Node a("a");
  CHECK(a.membership.view().epoch() == 1);
  CHECK(a.membership.view().names() == std::vector<std::string>{"a", "b", "c"});
  CHECK(a.context.ring_changes == std::vector<std::uint64_t>{0});
  CHECK(a.context.meta.contains("dynamo.ring"));
  CHECK(a.context.members_seen.back() == std::vector<std::string>{"a", "b", "c"});
  CHECK(a.membership.gossip_targets() == std::vector<std::string>{"b", "c"});
  CHECK_FALSE(a.membership.left_ring());
}

TEST_CASE("a change waits until the ring reached every member, then the claimant makes it and "
          "completes it once every destination fetched",
          "[ring_membership]") {
  Node a("a");  // the lowest name: the claimant
  std::vector<std::pair<std::error_code, std::uint64_t>> results;
  a.membership.change({wire::ChangeKind::join, "d", "", "", 1},
                      [&](std::error_code ec, MembershipResult r) { results.emplace_back(ec, r.epoch); });
  // b and c have not announced epoch 1 yet: the request waits.
  CHECK(results.empty());
  CHECK(a.membership.waiting_changes() == 1);
  CHECK(a.membership.view().epoch() == 1);
  a.heartbeats(1, 0, 1);
  a.timers.advance(RingMembership<ManualTimers, FakeContext>::change_retry_delay);
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].first);
  CHECK(results[0].second == 2);
  CHECK(a.membership.waiting_changes() == 0);
  CHECK_FALSE(a.membership.view().stable());
  CHECK(a.context.ring_changes == std::vector<std::uint64_t>{0, 1});
  // The new ring goes to every member at once.
  CHECK(sent_ring_replies_to(a.context) == std::vector<std::string>{"b", "c", "d"});

  // Not complete while a destination has not fetched epoch 2.
  a.heartbeats(2, 1, 2);
  a.membership.maybe_complete_change();
  CHECK(a.membership.view().epoch() == 2);
  a.context.fetched = 2;  // this node's own fetches
  a.membership.on_gossip("d", {{"d", 1, 1, 0, 2, 2}}, true);
  a.heartbeats(2, 2, 3);
  CHECK(a.membership.view().epoch() == 3);
  CHECK(a.membership.view().stable());
  CHECK(a.membership.view().contains("d"));
}

TEST_CASE("a restarted node takes the ring it persisted, not the founders'", "[ring_membership]") {
  std::map<std::string, std::string, std::less<>> meta;
  {
    Node a("a");
    a.heartbeats(1, 0, 1);
    bool done = false;
    a.membership.change({wire::ChangeKind::join, "d", "", "", 1},
                        [&](std::error_code ec, MembershipResult) { done = !ec; });
    REQUIRE(done);
    meta = a.context.meta;
  }
  Node again("a", meta);
  CHECK(again.membership.view().epoch() == 2);
  CHECK(again.membership.view().contains("d"));
}

TEST_CASE("a newer ring from a peer is taken and an older one answered with ours",
          "[ring_membership]") {
  Node a("a");
  Node b("b");
  a.heartbeats(1, 0, 1);
  bool done = false;
  a.membership.change({wire::ChangeKind::join, "d", "", "", 1},
                      [&](std::error_code ec, MembershipResult) { done = !ec; });
  REQUIRE(done);
  const auto& pushed = std::get<wire::RingReply>(a.context.sent.front().second);
  b.membership.on_ring_document("a", pushed);
  CHECK(b.membership.view().epoch() == 2);
  CHECK(b.context.ring_changes == std::vector<std::uint64_t>{0, 1});
  // c, still at epoch 1, sends its ring to b: b keeps its own and sends it back.
  Node c("c");
  const auto old = std::get<wire::RingReply>([&] {
    c.membership.on_ring_request("b", 9, 2);
    return c.context.sent.back().second;
  }());
  b.membership.on_ring_document("c", old);
  CHECK(b.membership.view().epoch() == 2);
  CHECK(sent_ring_replies_to(b.context) == std::vector<std::string>{"c"});
}

TEST_CASE("a member that is not the claimant passes a host's change to the claimant, and "
          "shutdown fails the host's waiting requests",
          "[ring_membership]") {
  Node b("b");
  bool called = false;
  b.membership.change({wire::ChangeKind::leave, "c", "", "", 1},
                      [&](std::error_code, MembershipResult) { called = true; });
  REQUIRE(b.context.forwarded.size() == 1);
  CHECK(b.context.forwarded[0].first == "a");
  CHECK(std::holds_alternative<wire::MembershipChange>(b.context.forwarded[0].second));

  Node a("a");
  std::error_code ec;
  a.membership.change({wire::ChangeKind::join, "d", "", "", 1},
                      [&](std::error_code e, MembershipResult) { ec = e; });
  REQUIRE(a.membership.waiting_changes() == 1);
  a.membership.fail_all(make_error_code(errc::shutdown));
  CHECK(ec == make_error_code(errc::shutdown));
  CHECK(a.membership.waiting_changes() == 0);
  CHECK(a.timers.pending.empty());
}
