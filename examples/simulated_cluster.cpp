// A five-node cluster simulated in one process, the way a host application tests its own use of
// dynamo: a custom resolver that merges shopping-cart siblings, two shoppers writing the same
// cart concurrently, a node crash with hinted handoff, and the seed that replays it all.

#include <iostream>
#include <set>
#include <sstream>

#include <dynamo/testing/sim_cluster.hpp>

// A cart is "item,item,...". Concurrent carts merge by union (the Dynamo paper's example; the
// shopping_cart example shows why a plain union can resurrect removed items).
struct CartUnion {
  static constexpr std::string_view name() { return "example.cart_union"; }

  std::vector<dynamo::Value> resolve(std::span<const dynamo::Versioned> versions) const {
    std::set<std::string> items;
    bool live = false;
    for (const dynamo::Versioned& v : versions) {
      if (v.tombstone) continue;
      live = true;
      std::stringstream in(v.value);
      for (std::string item; std::getline(in, item, ',');) items.insert(item);
    }
    if (!live) return {};
    std::string cart;
    for (const std::string& item : items) cart += (cart.empty() ? "" : ",") + item;
    return {cart};
  }
};

int main() {
  using namespace std::chrono_literals;
  dynamo::testing::Simulator sim(2007);
  dynamo::Config config;  // N=3, R=2, W=2
  dynamo::testing::SimCluster<CartUnion> cluster(sim, {"a", "b", "c", "d", "e"}, config);
  auto alice = cluster.make_client("alice");
  auto bob = cluster.make_client("bob");

  auto report = [](const char* who) {
    return [who](std::error_code ec, const auto& result) {
      std::cout << who << ": " << (ec ? ec.message() : "ok") << ", " << result.quorum << "\n";
    };
  };

  // Both add to the same empty cart without reading first: two concurrent versions.
  alice->async_put("cart:42", {}, "book", report("alice adds book"));
  bob->async_put("cart:42", {}, "pen", report("bob adds pen"));
  sim.run_for(1s);

  // A home replica of the cart crashes; writes go on through the sloppy quorum.
  const auto& ring = cluster.node("a").core().ring();
  const std::string victim = ring.member(ring.primaries_for_key("cart:42")[0]).name;
  cluster.crash(victim);
  std::cout << victim << " crashed\n";

  alice->async_get("cart:42", [&](std::error_code ec, dynamo::GetResult cart) {
    if (ec) return;
    std::cout << "alice reads one merged cart: " << cart.values.front() << " (from "
              << cart.siblings.size() << " siblings)\n";
    alice->async_put("cart:42", cart.context, cart.values.front() + ",lamp",
                     report("alice adds lamp"));
  });
  sim.run_for(2s);

  cluster.restart(victim);
  sim.run_for(3s);  // the hint reaches the restarted node
  const std::size_t hints = cluster.hint_count();
  std::cout << victim << " restarted; hints still waiting: " << hints << "\n";

  bob->async_get("cart:42", [](std::error_code ec, dynamo::GetResult cart) {
    if (!ec) std::cout << "bob reads: " << cart.values.front() << "\n";
  });
  sim.run_for(1s);
  std::cout << "replay this run exactly with seed 2007 (trace " << std::hex << sim.trace_hash()
            << ")\n";
  return hints == 0 ? 0 : 1;
}
