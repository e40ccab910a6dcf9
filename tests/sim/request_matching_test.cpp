// Answers reach the request they answer, and nothing else: clients that share a name, replies
// from the wrong node, of the wrong kind or with an id nobody asked under, a context read for
// another key, and a conflict resolver that throws. Each test sets up exactly its case on a
// small simulated cluster; a raw endpoint plays a node (or a node's replica) where the test
// needs answers no real node would send.

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>

#include "dynamo/wire/frame.hpp"
#include "sim/sim_support.hpp"
#include "support/request_identity.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimCluster;
using testing::Simulator;

namespace {

// An endpoint of the simulator driven by the test: it says Hello as a compatible peer of
// `config`'s cluster, records every message it receives, and sends what the test tells it.
class RawPeer {
 public:
  RawPeer(Simulator& sim, std::string name, const Config& config)
      : sim_(sim), name_(std::move(name)), config_(config) {
    sim_.attach(name_, [this](std::string_view from, std::string_view frame) {
      wire::Message m;
      if (!wire::decode_frame(frame, config_.limits, m)) received.push_back({std::string(from), m});
    });
  }
  void hello(const std::string& to) {
    send(to, wire::Hello{wire::protocol_version, config_.cluster, name_, config_.ring,
                         std::string(KeepSiblings::name()), 1, true});
  }
  void send(const std::string& to, const wire::Message& m) {
    sim_.send(name_, to, wire::encode_frame(m));
  }
  // The first received message of type M, if any, and who sent it.
  template <class M>
  const M* first(std::string* sender = nullptr) const {
    for (const auto& [from, m] : received) {
      if (const auto* found = std::get_if<M>(&m)) {
        if (sender) *sender = from;
        return found;
      }
    }
    return nullptr;
  }

  std::vector<std::pair<std::string, wire::Message>> received;

 private:
  Simulator& sim_;
  std::string name_;
  Config config_;
};

std::uint64_t unmatched_on_nodes(SimCluster<>& cluster) {
  std::uint64_t sum = 0;
  for (const std::string& name : cluster.names()) {
    if (cluster.is_up(name)) sum += cluster.node(name).core().unmatched_replies();
  }
  return sum;
}

}  // namespace

TEST_CASE("two clients of one name, interleaving, each get only their own answers",
          "[sim][request][identity]") {
  Simulator sim(71);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto one = cluster.make_client("svc");
  auto two = cluster.make_client("svc");
  CHECK(one->core().identity() != two->core().identity());
  CHECK(one->core().identity().rfind("svc#", 0) == 0);
  const auto crossed = test::own_keys_at_once(*one, *two, 10);
  REQUIRE(sim.run_until([&] { return crossed->reads_done == 20; }, 30s));
  INFO(::Catch::Detail::stringify(crossed->wrong));
  CHECK(crossed->wrong.empty());
  CHECK(one->core().unmatched_replies() == 0);
  CHECK(two->core().unmatched_replies() == 0);
}

TEST_CASE("a client takes only the reply of the right node, kind and id",
          "[sim][request][identity]") {
  Simulator sim(72);
  const Config config = test::small_config();
  RawPeer seed(sim, "seed", config);
  RawPeer stranger(sim, "stranger", config);
  ClientConfig cc;
  cc.name = "client";
  cc.seeds = {"seed"};
  cc.ring = config.ring;
  SimCluster<>::ClientType client(sim.executor(), cc, testing::SimTransport(sim, "client"));
  std::optional<std::error_code> result;
  client.async_put("k", {}, "v", [&](std::error_code ec, WriteResult) { result = ec; });
  // The seed never answers for the ring: once the wait for one is over, the put goes to it.
  sim.run_for(dynamo::effective_attempt_timeout(cc) + 100ms);
  const auto* put = seed.first<wire::ClientPut>();
  REQUIRE(put);
  const std::uint64_t id = put->request_id;
  const wire::Status ok{};
  seed.hello("client");
  stranger.hello("client");
  seed.send("client", wire::ClientGetReply{id, ok, {}});           // a read's reply to a write
  stranger.send("client", wire::ClientWriteReply{id, ok, {}});     // from a node not asked
  seed.send("client", wire::ClientWriteReply{id + 7, ok, {}});     // an id nobody asked under
  sim.run_for(100ms);
  CHECK_FALSE(result.has_value());
  CHECK(client.core().unmatched_replies() == 3);
  seed.send("client", wire::ClientWriteReply{id, ok, {}});
  sim.run_for(100ms);
  REQUIRE(result.has_value());
  CHECK_FALSE(*result);
  CHECK(client.core().unmatched_replies() == 3);
}

TEST_CASE("a node takes only the acknowledgement of the replica asked, for the request asked",
          "[sim][request][identity]") {
  Simulator sim(73);
  Config config = test::small_config(3, 3, 3);  // W = 3: c's acknowledgement decides the put
  SimCluster<> cluster(sim, {"a", "b", "c"}, config);
  auto client = cluster.make_client("client");
  sim.run_for(1s);  // the client has the ring
  Key key = "k";  // one that a or b coordinates, so c's part is a replica's
  for (int i = 0; test::primaries(cluster, key).front() == "c"; ++i) key = "k" + std::to_string(i);
  cluster.crash("c");
  RawPeer c(sim, "c", cluster.config());  // stands in for c, with its name
  for (const char* node : {"a", "b"}) c.hello(node);
  sim.run_for(50ms);
  std::optional<std::error_code> result;
  client->async_put(key, {}, "v", [&](std::error_code ec, WriteResult) { result = ec; });
  REQUIRE(sim.run_until([&] { return c.first<wire::ReplicaWrite>() != nullptr; }, 1s));
  std::string coordinator;
  const std::uint64_t id = c.first<wire::ReplicaWrite>(&coordinator)->request_id;
  const std::uint64_t before = unmatched_on_nodes(cluster);
  c.send(coordinator, wire::ReplicaReadReply{id, {}, {}});       // a read's answer to a write
  c.send(coordinator, wire::ReplicaWriteAck{id + 7, {}});        // an id nobody asked under
  c.send(coordinator == "a" ? "b" : "a", wire::ReplicaWriteAck{id, {}});  // to another node
  sim.run_for(50ms);
  CHECK_FALSE(result.has_value());
  CHECK(unmatched_on_nodes(cluster) == before + 3);
  c.send(coordinator, wire::ReplicaWriteAck{id, {}});
  REQUIRE(sim.run_until([&] { return result.has_value(); }, 1s));
  CHECK_FALSE(*result);
}

TEST_CASE("a context read for another key is refused, and nothing is written",
          "[sim][request][context]") {
  Simulator sim(74);
  SimCluster<> cluster(sim, {"a", "b", "c"}, test::small_config());
  auto client = cluster.make_client("client");
  auto& node = cluster.node("b");
  REQUIRE_FALSE(test::put(sim, *client, "k1", {}, "one").ec);
  REQUIRE_FALSE(test::put(sim, *client, "k2", {}, "42").ec);
  const Context foreign = test::get(sim, *client, "k1").result.context;
  const auto unchanged = [&] {
    const auto got = test::get(sim, *client, "k2");
    return !got.ec && got.result.values == std::vector<Value>{"42"} &&
           got.result.siblings.size() == 1;
  };

  SECTION("through a Client") {
    CHECK(test::put(sim, *client, "k2", foreign, "stale").ec == errc::bad_context);
    CHECK(test::remove(sim, *client, "k2", foreign).ec == errc::bad_context);
  }
  SECTION("through a Node") {
    CHECK(test::put(sim, node, "k2", foreign, "stale").ec == errc::bad_context);
    CHECK(test::remove(sim, node, "k2", foreign).ec == errc::bad_context);
  }
  SECTION("in a request on the wire, as dynamo-cli sends it") {
    RawPeer raw(sim, "raw-client", cluster.config());
    raw.hello("a");
    raw.send("a", wire::ClientPut{5, "k2", foreign.encode(), "stale", 0, false});
    raw.send("a", wire::ClientRemove{6, "k2", foreign.encode(), 0, false});
    sim.run_for(1s);
    int refused = 0;
    for (const auto& [from, m] : raw.received) {
      if (const auto* reply = std::get_if<wire::ClientWriteReply>(&m)) {
        CHECK(wire::to_error_code(reply->status) == errc::bad_context);
        ++refused;
      }
    }
    CHECK(refused == 2);
  }
  sim.run_for(1s);
  CHECK(unchanged());
  // The key's own context still works, and an unbound one (format 1, or made from a clock) too.
  const Context own = test::get(sim, *client, "k2").result.context;
  REQUIRE_FALSE(test::put(sim, *client, "k2", own, "43").ec);
  CHECK(test::get(sim, *client, "k2").result.values == std::vector<Value>{"43"});
}


TEST_CASE("a resolver that throws fails that read alone, with a clear error and a log line",
          "[sim][request][resolver]") {
  Simulator sim(75);
  Config config = test::small_config(3, 2, 3);
  std::vector<LogRecord> logged;
  config.log = [&](const LogRecord& record) { logged.push_back(record); };
  SimCluster<test::ThrowingResolver> cluster(sim, {"a", "b", "c"}, config);
  auto client = cluster.make_client("client", [&](ClientConfig& c) { c.log = config.log; });
  REQUIRE_FALSE(test::put(sim, *client, "bad", {}, "boom").ec);
  REQUIRE_FALSE(test::put(sim, *client, "good", {}, "fine").ec);

  for (const bool through_node : {false, true}) {
    CAPTURE(through_node);
    const auto read = through_node ? test::get(sim, cluster.node("a"), "bad")
                                   : test::get(sim, *client, "bad");
    CHECK(read.ec == errc::resolver_failed);
    CHECK(read.result.values.empty());
    REQUIRE(read.result.siblings.size() == 1);  // what the resolver was given, for the caller
    CHECK(read.result.siblings.versions()[0].value == "boom");
    // Everything else goes on: other reads, and writes that need all three replicas (W = 3),
    // one of them with the failed read's context.
    const auto good = through_node ? test::get(sim, cluster.node("a"), "good")
                                   : test::get(sim, *client, "good");
    REQUIRE_FALSE(good.ec);
    CHECK(good.result.values == std::vector<Value>{"fine"});
    CHECK_FALSE(test::put(sim, *client, "bad", read.result.context, "mended").ec);
    const auto mended = test::get(sim, *client, "bad");
    CHECK(mended.result.values == std::vector<Value>{"mended"});
    REQUIRE_FALSE(test::put(sim, *client, "bad", mended.result.context, "boom").ec);
  }
  const auto threw = std::ranges::count_if(logged, [](const LogRecord& r) {
    return r.level == LogLevel::error && r.event == "resolver_failed" &&
           format(r).find("threw on key \"bad\": cannot merge boom") != std::string::npos;
  });
  CHECK(threw == 2);  // once by the client, once by node a
}
