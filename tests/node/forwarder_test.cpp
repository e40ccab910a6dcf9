// Forwarder driven by hand: forwards, their answers, deadlines, reroutes.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dynamo/node/forwarder.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using namespace dynamo;
using dynamo::test::ManualTimers;

namespace {

struct FakeContext {
  std::vector<std::pair<std::string, wire::Message>> sent;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> suspected;
  void send(const std::string& node, const wire::Message& m) { sent.emplace_back(node, m); }
  void suspect(const std::string& node, std::chrono::milliseconds waited) {
    suspected.emplace_back(node, waited);
  }
};

struct Fixture {
  ManualTimers timers;
  RequestIds ids{1};
  FakeContext context;
  Forwarder<ManualTimers, FakeContext> forwards{timers, ids, context, 2000ms};
  std::vector<std::uint32_t> statuses;  // what on_reply got, in order
  std::vector<std::string> rerouted;    // keys of requests rerouted

  void get(const std::string& target, bool with_reroute) {
    Forwarder<ManualTimers, FakeContext>::Reroute reroute;
    if (with_reroute) {
      reroute = [this](wire::Message m) { rerouted.push_back(std::get<wire::ClientGet>(m).key); };
    }
    forwards.forward(target, wire::ClientGet{0, "k", 2, false},
                     [this](const wire::Status& s, const wire::Message*) { statuses.push_back(s.code); },
                     std::move(reroute));
  }
  std::uint64_t last_id() const {
    return std::get<wire::ClientGet>(context.sent.back().second).request_id;
  }
};

}  // namespace

TEST_CASE("a forward's answer reaches its caller once, only from its target and of its type",
          "[forwarder]") {
  Fixture f;
  f.get("b", false);
  const std::uint64_t id = f.last_id();
  CHECK(RequestIds::kind_of(id) == RequestKind::forward);
  CHECK(f.context.sent.back().first == "b");
  // From another node, or of another reply type: not an answer.
  CHECK_FALSE(f.forwards.on_reply("c", wire::ClientGetReply{id, {}, {}}));
  CHECK_FALSE(f.forwards.on_reply("b", wire::ClientWriteReply{id, {}, {}}));
  CHECK(f.statuses.empty());
  CHECK(f.forwards.on_reply("b", wire::ClientGetReply{id, {}, {}}));
  CHECK(f.statuses == std::vector<std::uint32_t>{0});
  CHECK_FALSE(f.forwards.on_reply("b", wire::ClientGetReply{id, {}, {}}));  // a duplicate
  CHECK(f.forwards.size() == 0);
  CHECK(f.timers.pending.empty());
}

TEST_CASE("a silent target is suspected at the deadline and the request goes on or times out",
          "[forwarder]") {
  Fixture f;
  f.get("b", true);
  f.get("c", false);
  f.timers.advance(1999ms);
  CHECK(f.context.suspected.empty());
  f.timers.advance(1ms);
  CHECK(f.rerouted == std::vector<std::string>{"k"});
  CHECK(f.statuses == std::vector<std::uint32_t>{static_cast<std::uint32_t>(errc::timeout)});
  CHECK(f.context.suspected.size() == 2);
  CHECK(f.forwards.size() == 0);
}

TEST_CASE("a refusal for too few replicas goes on at once without suspecting the target",
          "[forwarder]") {
  Fixture f;
  f.get("b", true);
  const wire::Status unavailable{static_cast<std::uint32_t>(errc::unavailable), 1, 2};
  CHECK(f.forwards.on_reply("b", wire::ClientGetReply{f.last_id(), unavailable, {}}));
  CHECK(f.rerouted.size() == 1);
  CHECK(f.context.suspected.empty());
  CHECK(f.statuses.empty());
}

TEST_CASE("an unreachable target's forwards go on at once, shutdown fails the rest",
          "[forwarder]") {
  Fixture f;
  f.get("b", true);
  f.get("c", true);
  f.get("c", false);
  f.forwards.on_unreachable("b");
  CHECK(f.rerouted.size() == 1);
  CHECK(f.forwards.size() == 2);
  f.forwards.fail_all(make_error_code(errc::shutdown));
  CHECK(f.rerouted.size() == 1);  // shutdown reroutes nothing
  CHECK(f.statuses == std::vector<std::uint32_t>(2, static_cast<std::uint32_t>(errc::shutdown)));
  CHECK(f.timers.pending.empty());
}
