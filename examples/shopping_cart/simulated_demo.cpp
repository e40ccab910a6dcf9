// The shopping-cart demo on a five-node cluster simulated in this process, so it runs without
// a network: the same demo driver runs against real peers once the TCP transport exists.
// Virtual time makes it instant and the seed makes it replay exactly.
//
// Usage: shopping_cart_simulated [seed]      (default seed 42)

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

#include <dynamo/testing/sim_cluster.hpp>

#include "shopping_cart/cart.hpp"
#include "shopping_cart/demo.hpp"

namespace {

using Cluster = dynamo::testing::SimCluster<shopping_cart::CartMerge>;

// The key's home replicas, in preference order, as every node's ring computes them.
std::vector<std::string> home_replicas(Cluster& cluster, const std::string& key) {
  const dynamo::ring::Ring& ring = cluster.node(cluster.names().front()).core().ring();
  std::vector<std::string> names;
  for (dynamo::ring::NodeIndex i : ring.primaries_for_key(key)) names.push_back(ring.member(i).name);
  return names;
}

// "hints waiting: 1 (d holds 1)", read from every node's disk.
std::string hint_status(const Cluster& cluster) {
  std::size_t total = 0;
  std::string where;
  for (const std::string& name : cluster.names()) {
    const std::size_t hints = cluster.disk(name).hint_count();
    if (hints == 0) continue;
    total += hints;
    where += (where.empty() ? "" : ", ") + name + " holds " + std::to_string(hints);
  }
  return "hints waiting: " + std::to_string(total) + (where.empty() ? "" : " (" + where + ")");
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 42;
  try {
    if (argc > 1) seed = std::stoull(argv[1]);
  } catch (const std::exception&) {
    std::cerr << "usage: shopping_cart_simulated [seed]\n";
    return 2;
  }
  dynamo::testing::Simulator sim(seed);
  dynamo::Config config;  // N = 3, R = 2, W = 2
  Cluster cluster(sim, {"a", "b", "c", "d", "e"}, config);
  auto alice = cluster.make_client("alice");
  auto bob = cluster.make_client("bob");

  shopping_cart::DemoWorld world;
  const std::vector<std::string> home = home_replicas(cluster, world.key);
  const std::string victim = home.front();
  std::cout << "A simulated cluster of 5 nodes (a to e) with N = 3, R = 2, W = 2: every key is\n"
            << "stored on 3 home replicas, a read waits for 2 of them and a write for 2.\n"
            << world.key << "'s home replicas are " << home[0] << ", " << home[1] << " and "
            << home[2] << ". Carts merge with the OR-set resolver \""
            << shopping_cart::CartMerge::name() << "\".\n";

  world.run_for = [&](std::chrono::milliseconds span) { sim.run_for(span); };
  world.kill_node = [&] {
    cluster.crash(victim);
    return victim;
  };
  world.restart_node = [&] { cluster.restart(victim); };
  world.status = [&] { return hint_status(cluster); };
  world.session = "sim";

  const int failures = shopping_cart::run_cart_demo(*alice, *bob, world);
  std::cout << "\nThis run replays exactly with seed " << seed << " (trace " << std::hex
            << sim.trace_hash() << std::dec << ").\n";
  return failures == 0 ? 0 : 1;
}
