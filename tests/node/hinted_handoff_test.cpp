// HintedHandoff driven by hand: offers, acknowledgements, timeouts and orphaned hints.

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dynamo/node/hinted_handoff.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using namespace dynamo;
using dynamo::test::ManualTimers;

namespace {

Siblings version(std::uint64_t counter) {
  Siblings s;
  s.add(make_version(Dot{ActorId{1}, counter}, counter, {}, Value("v"), false));
  return s;
}

struct FakeContext {
  std::map<std::pair<std::string, Key>, Siblings> hints;
  std::set<std::string> unusable;
  std::set<std::string> former_owners;  // no longer replicas of any key
  std::set<std::pair<std::string, Key>> being_relocated;
  std::vector<std::pair<std::string, Key>> relocated;
  std::vector<std::pair<std::string, wire::Message>> sent;
  std::vector<std::string> suspected;
  int delivered_count = 0;
  std::vector<std::string> logged;

  template <class Visit>
  void for_each_hint(Visit&& visit) const {
    for (const auto& [owner_key, s] : hints) visit(owner_key.first, owner_key.second, s);
  }
  std::optional<Siblings> get_hint(const std::string& owner, std::string_view key) const {
    const auto it = hints.find({owner, Key(key)});
    return it == hints.end() ? std::nullopt : std::optional<Siblings>(it->second);
  }
  void erase_hint(const std::string& owner, std::string_view key) { hints.erase({owner, Key(key)}); }
  bool rightful_owner(const std::string& owner, std::string_view) const {
    return !former_owners.contains(owner);
  }
  bool relocating(const std::string& owner, std::string_view key) const {
    return being_relocated.contains({owner, Key(key)});
  }
  void relocate(const std::string& owner, std::string_view key, const Siblings&) {
    relocated.emplace_back(owner, Key(key));
  }
  bool usable(const std::string& owner) const { return !unusable.contains(owner); }
  void send(const std::string& owner, const wire::Message& m) { sent.emplace_back(owner, m); }
  void suspect(const std::string& owner, std::chrono::milliseconds) { suspected.push_back(owner); }
  void delivered() { ++delivered_count; }
  void log(LogLevel, std::string_view, std::string message, std::vector<LogField>) const {
    const_cast<FakeContext*>(this)->logged.push_back(std::move(message));
  }
};

struct Fixture {
  ManualTimers timers;
  RequestIds ids{1};
  FakeContext context;
  HintedHandoff<ManualTimers, FakeContext> handoff{timers, ids, context, {true, 2, 1000ms}};

  std::uint64_t id_sent_for(const std::string& key) const {
    for (const auto& [to, m] : context.sent) {
      if (const auto* w = std::get_if<wire::ReplicaWrite>(&m); w && w->key == key) return w->request_id;
    }
    return 0;
  }
};

}  // namespace

TEST_CASE("a hint is offered to its usable owner and deleted once acknowledged", "[hinted_handoff]") {
  Fixture f;
  f.context.hints[{"b", "k1"}] = version(1);
  f.context.hints[{"c", "k2"}] = version(1);
  f.context.unusable = {"c"};
  f.handoff.run();
  REQUIRE(f.context.sent.size() == 1);  // c is not usable: left alone
  CHECK(f.context.sent[0].first == "b");
  const std::uint64_t id = f.id_sent_for("k1");
  CHECK(RequestIds::kind_of(id) == RequestKind::hint_delivery);
  f.handoff.run();
  CHECK(f.context.sent.size() == 1);  // not offered twice while in flight
  CHECK_FALSE(f.handoff.on_ack(id, "c", wire::Status{}));  // only its owner's answer counts
  CHECK(f.handoff.on_ack(id, "b", wire::Status{}));
  CHECK_FALSE(f.context.hints.contains({"b", "k1"}));
  CHECK(f.context.delivered_count == 1);
  CHECK(f.handoff.size() == 0);
  f.handoff.run();  // the round after logs what was delivered, once per owner
  REQUIRE(f.context.logged.size() == 1);
  CHECK(f.context.logged[0] == "delivered hints to b: 1 key(s)");
}

TEST_CASE("a hint that grew while it was offered is kept for the next round", "[hinted_handoff]") {
  Fixture f;
  f.context.hints[{"b", "k1"}] = version(1);
  f.handoff.run();
  const std::uint64_t id = f.id_sent_for("k1");
  f.context.hints[{"b", "k1"}].merge(version(2));  // a newer write arrived meanwhile
  CHECK(f.handoff.on_ack(id, "b", wire::Status{}));
  CHECK(f.context.hints.contains({"b", "k1"}));
  CHECK(f.context.delivered_count == 0);
}

TEST_CASE("an owner that lets an offer time out is suspected and offered again later",
          "[hinted_handoff]") {
  Fixture f;
  f.context.hints[{"b", "k1"}] = version(1);
  f.handoff.run();
  f.timers.advance(1000ms);
  CHECK(f.context.suspected == std::vector<std::string>{"b"});
  CHECK(f.handoff.size() == 0);
  f.handoff.run();
  CHECK(f.context.sent.size() == 2);  // the next round probes it again
}

TEST_CASE("rounds are bounded by the batch and orphaned hints go to the key's replicas",
          "[hinted_handoff]") {
  Fixture f;
  f.context.hints[{"b", "k1"}] = version(1);
  f.context.hints[{"b", "k2"}] = version(1);
  f.context.hints[{"b", "k3"}] = version(1);
  f.context.hints[{"gone", "k4"}] = version(1);
  f.context.hints[{"gone", "k5"}] = version(1);
  f.context.former_owners = {"gone"};
  f.context.being_relocated = {{"gone", "k5"}};
  f.handoff.run();
  CHECK(f.context.sent.size() == 2);  // batch of 2
  f.handoff.clear();
  f.context.sent.clear();
  f.context.hints.erase({"b", "k1"});
  f.context.hints.erase({"b", "k2"});
  f.context.hints.erase({"b", "k3"});
  f.handoff.run();
  // k4's owner left: it is relocated; k5 is being relocated already.
  CHECK(f.context.relocated == std::vector<std::pair<std::string, Key>>{{"gone", "k4"}});
  CHECK(f.context.sent.empty());
}
