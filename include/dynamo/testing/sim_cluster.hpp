#pragma once
// SimCluster: a cluster of real Node objects of the user's own resolver type, each on a
// SimTransport, with crash and restart, and nodes started outside the ring to join it. Build it
// on a Simulator, make clients with make_client(), drive time with the simulator, and inspect
// each node's disk. Link dynamo::testing, which holds the compiled NodeCore and ClientCore of
// the simulation (see sim_instances.hpp). Every node and client it makes has its
// check_invariants() run by the simulator after every event while it is up (Simulator::add_checker).
//
// Example:
//   dynamo::testing::Simulator sim(seed);
//   dynamo::testing::SimCluster<CartMerge> cluster(sim, {"a", "b", "c"}, config);
//   auto client = cluster.make_client("shopper");
//   client->async_put("cart", {}, "book", [](std::error_code ec, dynamo::WriteResult) { ... });
//   sim.run_for(std::chrono::seconds(1));

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dynamo/client.hpp"
#include "dynamo/node.hpp"
#include "dynamo/resolve/keep_siblings.hpp"
#include "dynamo/testing/sim_instances.hpp"
#include "dynamo/testing/sim_storage.hpp"
#include "dynamo/testing/sim_transport.hpp"

namespace dynamo::testing {

template <class R = KeepSiblings>
class SimCluster {
 public:
  using NodeType = Node<SimStorage, SimTransport, R>;
  using ClientType = Client<SimTransport, R>;

  // Starts one node per name: the founding members, which are also every node's seeds. `base`
  // gives everything but the name, the member list and the seeds.
  SimCluster(Simulator& sim, std::vector<std::string> names, Config base, R resolver = R{})
      : sim_(sim), names_(std::move(names)), base_(std::move(base)), resolver_(resolver) {
    base_.members.clear();
    for (const std::string& name : names_) base_.members.push_back({name, {}, 1, {}});
    base_.seeds = names_;
    for (const std::string& name : names_) {
      disks_[name] = std::make_shared<MemoryStorage>();
      start(name);
    }
  }

  // Starts a node outside the ring, with an empty disk: it finds the cluster through the seeds
  // and serves once a join admits it (its Node's async_join, or a client's). With
  // knows_founders false it is not even told the founding members: the seeds are all it has.
  NodeType& add_node(const std::string& name, bool knows_founders = true) {
    names_.push_back(name);
    if (!knows_founders) strangers_.insert(name);
    disks_[name] = std::make_shared<MemoryStorage>();
    start(name);
    return node(name);
  }

  // Every node started: the founding members, then the added ones.
  const std::vector<std::string>& names() const { return names_; }
  const Config& config() const { return base_; }
  bool is_up(const std::string& name) const { return nodes_.contains(name); }
  NodeType& node(const std::string& name) { return *nodes_.at(name); }
  const MemoryStorage& disk(const std::string& name) const { return *disks_.at(name); }

  // Hints waiting on every disk: zero once hinted handoff has delivered everything.
  std::size_t hint_count() const {
    std::size_t hints = 0;
    for (const auto& [name, disk] : disks_) hints += disk->hint_count();
    return hints;
  }

  // Kills the node: everything in flight to it and in its memory is lost. With wipe_disk its
  // storage is lost too, as when a machine is replaced.
  void crash(const std::string& name, bool wipe_disk = false) {
    if (!is_up(name)) return;
    sim_.mark_down(name);
    nodes_.erase(name);
    if (wipe_disk) disks_[name] = std::make_shared<MemoryStorage>();
  }

  // Gives a crashed node a copy of another disk, e.g. one saved earlier: a replica restored from
  // an old backup. REQUIRES: the node is down.
  void replace_disk(const std::string& name, const MemoryStorage& disk) {
    disks_[name] = std::make_shared<MemoryStorage>(disk);
  }

  void restart(const std::string& name) {
    if (is_up(name)) return;
    sim_.count_restart();
    start(name);
  }

  // Restarts every running node with a new configuration (the member list stays), as a rolling
  // restart of a real cluster would; disks are kept.
  void reconfigure(Config base) {
    base.members = base_.members;
    base_ = std::move(base);
    for (const std::string& name : names_) {
      if (!is_up(name)) continue;
      crash(name);
      restart(name);
    }
  }

  // A client that knows every node as a seed. `name` is its ClientConfig::name; clients may
  // share one, as copies of a service do, and each still gets an endpoint (a network address)
  // of its own: `name`, or `name` + "~2", "~3"... when that is taken.
  std::unique_ptr<ClientType> make_client(const std::string& name,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    return make_client(name, [timeout](ClientConfig& config) { config.request_timeout = timeout; });
  }

  // The same, with `adjust` applied to its configuration (e.g. its read_coordination) first.
  std::unique_ptr<ClientType> make_client(const std::string& name,
                                          const std::function<void(ClientConfig&)>& adjust) {
    ClientConfig config;
    config.cluster = base_.cluster;
    config.name = name;
    config.seeds = names_;
    config.ring = base_.ring;
    config.request_timeout = std::chrono::seconds(3);
    config.limits = base_.limits;
    adjust(config);
    std::string endpoint = name;
    for (int n = 2; sim_.is_up(endpoint); ++n) endpoint = name + "~" + std::to_string(n);
    auto client = std::make_unique<ClientType>(sim_.executor(), std::move(config),
                                               SimTransport(sim_, endpoint), resolver_);
    sim_.add_checker(endpoint, [&core = client->core()] { core.check_invariants(); });
    return client;
  }

 private:
  void start(const std::string& name) {
    Config config = base_;
    config.name = name;
    if (strangers_.contains(name)) config.members.clear();
    auto& node = nodes_[name];
    node = std::make_unique<NodeType>(sim_.executor(), std::move(config),
                                      SimStorage(disks_.at(name)), SimTransport(sim_, name),
                                      resolver_);
    sim_.add_checker(name, [&core = node->core()] { core.check_invariants(); });
  }

  Simulator& sim_;
  std::vector<std::string> names_;
  Config base_;
  R resolver_;
  std::set<std::string> strangers_;  // added nodes that know only the seeds
  std::map<std::string, std::shared_ptr<MemoryStorage>> disks_;
  std::map<std::string, std::unique_ptr<NodeType>> nodes_;
};

}  // namespace dynamo::testing
