// PeerHealth: a timeout suspects a peer only if nothing was heard from it since the request
// left; a suspicion lasts while the peer is silent (renewed and probed), and any message ends it.

#include <catch2/catch.hpp>

#include "dynamo/quorum/peer_health.hpp"

namespace dynamo {
namespace {

using namespace std::chrono_literals;

const auto everyone = [](const std::string&) { return true; };

TEST_CASE("a timeout suspects a peer only if it stayed silent since the request left",
          "[membership][health]") {
  PeerHealth health(1000ms, 5000ms);
  CHECK(health.timed_out("b", 100ms, 100ms));  // never heard from: suspected
  CHECK(health.is_suspected("b", 500ms));
  CHECK(health.heard_from("b", 600ms));  // any message clears it
  CHECK_FALSE(health.is_suspected("b", 600ms));
  // A request sent at 200 ms times out at 1,200 ms; b answered something at 600 ms, after it
  // left: that late timeout does not suspect b again.
  CHECK_FALSE(health.timed_out("b", 1200ms, 1000ms));
  CHECK_FALSE(health.is_suspected("b", 1200ms));
  // A request sent at 700 ms, after b was last heard, does.
  CHECK(health.timed_out("b", 1700ms, 1000ms));
  CHECK(health.is_suspected("b", 1700ms));
}

TEST_CASE("an unreachable peer is suspected whatever was heard before", "[membership][health]") {
  PeerHealth health(1000ms, 5000ms);
  health.heard_from("b", 100ms);
  CHECK(health.unreachable("b", 100ms));
  CHECK(health.is_suspected("b", 100ms));
  CHECK_FALSE(health.unreachable("b", 200ms));  // already suspected: not news
}

TEST_CASE("a silent peer's suspicion is renewed and returned for probing, and an answer ends it",
          "[membership][health]") {
  PeerHealth health(1000ms, 5000ms);
  health.unreachable("b", 0ms);
  health.unreachable("gone", 0ms);
  // Not yet near its end: nothing renewed.
  CHECK(health.renew_silent(400ms, 500ms, everyone).empty());
  // Lapsing within the horizon: renewed (b) or forgotten (gone, which the owner drops).
  const auto renewed = health.renew_silent(600ms, 500ms, [](const std::string& p) { return p == "b"; });
  CHECK(renewed == std::vector<std::string>{"b"});
  CHECK(health.is_suspected("b", 1500ms));  // past its first suspect_period
  CHECK_FALSE(health.is_suspected("gone", 600ms));
  // Kept renewed while silent, however long.
  for (auto now = 1100ms; now < 10s; now += 500ms) health.renew_silent(now, 500ms, everyone);
  CHECK(health.is_suspected("b", 10s));
  CHECK(health.heard_from("b", 10s));
  CHECK_FALSE(health.is_suspected("b", 10s));
  CHECK(health.renew_silent(10s + 500ms, 500ms, everyone).empty());
}

TEST_CASE("a peer's last message is forgotten after the memory span", "[membership][health]") {
  PeerHealth health(1000ms, 2000ms);
  health.heard_from("b", 0ms);
  health.renew_silent(3000ms, 500ms, everyone);  // prunes what is older than the memory
  // A request that waited 4 s: b was heard at 0 ms, inside that span, but that is forgotten.
  CHECK(health.timed_out("b", 3000ms, 4000ms));
}

}  // namespace
}  // namespace dynamo
