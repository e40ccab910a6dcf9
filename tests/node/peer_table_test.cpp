// The peer table: the handshake, suspicion after timeouts and the failure detector, each able to
// take a peer out of use, and usable() their one answer.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "dynamo/node/peer_table.hpp"

using namespace std::chrono_literals;
using dynamo::PeerTable;
using dynamo::metrics::PeerState;

namespace {

PeerTable::Options options() {
  PeerTable::Options o;
  o.suspect_period = 2s;
  o.health_memory = 4s;
  o.gossip_interval = 100ms;
  o.phi_acceptable_pause = 100ms;
  o.phi_threshold = 8.0;
  return o;
}

}  // namespace

TEST_CASE("a refused peer is never usable until a compatible Hello, and is reported once",
          "[node][peers]") {
  PeerTable peers("a", options());
  CHECK(peers.usable("a", 0ms));
  CHECK(peers.usable("b", 0ms));
  CHECK(peers.hello_due("b", 0ms, 250ms));
  peers.hello_sent("b", 0ms);
  CHECK(peers.hello_ever_sent("b"));
  CHECK_FALSE(peers.hello_due("b", 100ms, 250ms));
  CHECK(peers.hello_due("b", 250ms, 250ms));
  CHECK(peers.hello_received("b", false));
  CHECK_FALSE(peers.hello_received("b", false));  // already refused: no second report
  CHECK_FALSE(peers.usable("b", 1s));
  CHECK(peers.state("b", 1s) == PeerState::refused);
  CHECK(peers.renew_silent(1s, [](const std::string&) { return true; }).empty());
  CHECK_FALSE(peers.hello_received("b", true));
  CHECK(peers.verified("b"));
  CHECK(peers.usable("b", 1s));
  CHECK(peers.state("b", 1s) == PeerState::up);
}

TEST_CASE("a timeout suspects a peer until any message from it", "[node][peers]") {
  PeerTable peers("a", options());
  peers.hello_received("b", true);
  CHECK(peers.timed_out("b", 1s, 500ms));
  CHECK_FALSE(peers.usable("b", 1s));
  CHECK(peers.state("b", 1s) == PeerState::suspected);
  const PeerTable::Heard heard = peers.heard_from("b", 1200ms);
  CHECK(heard.answers_again);
  CHECK_FALSE(heard.up_again);
  CHECK(peers.usable("b", 1200ms));
}

TEST_CASE("a member whose heartbeats stop is down until heard again, and one never heard is down "
          "after ten gossip periods",
          "[node][peers]") {
  PeerTable peers("a", options());
  peers.follow({"a", "b", "c"}, 0ms);
  for (auto t = 100ms; t <= 1000ms; t += 100ms) {
    peers.heard_heartbeat("b", t);
    CHECK(peers.detect_failures(t).empty());
  }
  CHECK(peers.phi("b", 1000ms).has_value());
  CHECK_FALSE(peers.phi("c", 1000ms).has_value());
  // c was never heard: down at 10 gossip periods plus the acceptable pause.
  const auto c_down = peers.detect_failures(1100ms);
  REQUIRE(c_down.size() == 1);
  CHECK(c_down[0].peer == "c");
  CHECK_FALSE(c_down[0].phi);
  // b falls silent: down once phi passes the threshold, reported once.
  std::vector<PeerTable::Down> b_down;
  auto t = 1000ms;
  while (b_down.empty() && t < 10s) b_down = peers.detect_failures(t += 100ms);
  REQUIRE(b_down.size() == 1);
  CHECK(b_down[0].peer == "b");
  REQUIRE(b_down[0].phi);
  CHECK(*b_down[0].phi > 8.0);
  CHECK(peers.detect_failures(t + 100ms).empty());
  CHECK(peers.is_down("b"));
  CHECK_FALSE(peers.usable("b", t));
  CHECK(peers.state("b", t) == PeerState::down);
  // A message from b proves it up at once; so would its heartbeat.
  CHECK(peers.heard_from("b", t + 1ms).up_again);
  CHECK(peers.usable("b", t + 1ms));
  CHECK(peers.heard_heartbeat("c", t + 1ms));
  CHECK_FALSE(peers.is_down("c"));
  // A member that leaves the ring is forgotten.
  peers.follow({"a", "b"}, t + 2ms);
  CHECK_FALSE(peers.heard_heartbeat("c", t + 3ms));
}
