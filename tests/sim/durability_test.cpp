// A node acknowledges a replica write only once its storage says the write is durable
// (DeferredDurability, concepts.hpp), so W counts durable copies. A gated storage stands in for
// group commit: its writes become durable only when the test opens the gate.

#include <catch2/catch.hpp>

#include <memory>

#include "dynamo/storage/memory_storage.hpp"
#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using testing::SimTransport;
using testing::Simulator;

namespace {

// What the test controls of one node's storage: how far its writes are durable.
struct Gate {
  std::uint64_t written = 0;
  std::uint64_t durable = 0;
  std::function<void()> wake;
  void open() {
    durable = written;
    if (wake) wake();
  }
};

// MemoryStorage whose changes become durable only when the gate opens.
class GatedStorage : public MemoryStorage {
 public:
  explicit GatedStorage(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  void put(ring::Position pos, std::string_view key, Siblings s) {
    ++gate_->written;
    MemoryStorage::put(pos, key, std::move(s));
  }
  void put_hint(std::string_view owner, std::string_view key, Siblings s) {
    ++gate_->written;
    MemoryStorage::put_hint(owner, key, std::move(s));
  }
  std::uint64_t write_seq() const { return gate_->written; }
  std::uint64_t durable_seq() const { return gate_->durable; }
  void on_durable(std::function<void()> wake) { gate_->wake = std::move(wake); }

 private:
  std::shared_ptr<Gate> gate_;
};
static_assert(Storage<GatedStorage> && DeferredDurability<GatedStorage>);

using GatedNode = Node<GatedStorage, SimTransport>;

struct GatedCluster {
  explicit GatedCluster(Simulator& sim) {
    Config base = test::small_config(3, 2, 2);
    base.request_timeout = 1000ms;
    for (const char* name : {"a", "b", "c"}) base.members.push_back({name, {}, 1, {}});
    for (const char* name : {"a", "b", "c"}) {
      gates[name] = std::make_shared<Gate>();
      Config config = base;
      config.name = name;
      nodes[name] = std::make_unique<GatedNode>(sim.executor(), config, GatedStorage(gates[name]),
                                                SimTransport(sim, name));
    }
  }
  std::map<std::string, std::shared_ptr<Gate>> gates;
  std::map<std::string, std::unique_ptr<GatedNode>> nodes;
};

}  // namespace

TEST_CASE("a write is acknowledged only once W replicas made it durable", "[sim][durability]") {
  Simulator sim(3);
  GatedCluster cluster(sim);
  std::optional<std::error_code> done;
  cluster.nodes.at("a")->async_put("k", {}, "v", [&](std::error_code ec, WriteResult) { done = ec; });
  sim.run_for(300ms);
  CHECK_FALSE(done.has_value());  // every replica holds the write, none has made it durable
  CHECK(cluster.gates.at("a")->written + cluster.gates.at("b")->written +
            cluster.gates.at("c")->written == 3);
  cluster.gates.at("b")->open();
  sim.run_for(100ms);
  CHECK_FALSE(done.has_value());  // one durable copy is not W = 2
  cluster.gates.at("c")->open();
  sim.run_until([&] { return done.has_value(); }, 500ms);
  REQUIRE(done.has_value());
  CHECK_FALSE(*done);
}

TEST_CASE("a write no replica makes durable fails at the deadline", "[sim][durability]") {
  Simulator sim(4);
  GatedCluster cluster(sim);
  std::optional<std::error_code> done;
  cluster.nodes.at("b")->async_put("k", {}, "v", [&](std::error_code ec, WriteResult) { done = ec; });
  sim.run_until([&] { return done.has_value(); }, 5s);
  REQUIRE(done.has_value());
  CHECK(*done == errc::quorum_not_reached);
}
