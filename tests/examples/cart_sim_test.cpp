// The shopping cart on simulated five-node clusters (N = 3, R = 2, W = 2): the paper's case of
// two shoppers writing one cart on the two sides of a partition, the naive union's resurrection
// of a removed item next to the OR-set's fix, and the demo driver end to end.

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

#include "shopping_cart/cart.hpp"
#include "shopping_cart/demo.hpp"
#include "sim/sim_support.hpp"

using namespace dynamo;
using namespace std::chrono_literals;
using shopping_cart::Cart;
using shopping_cart::CartMerge;
using shopping_cart::NaiveUnionMerge;

namespace {

const Key cart_key = "cart:42";
const std::vector<std::string> nodes{"a", "b", "c", "d", "e"};

// A client retries a call that failed, as a shopper's browser would: a request sent to a node
// across the partition times out, and the client then tries another node.
template <class Front>
test::Outcome<GetResult> read_cart(testing::Simulator& sim, Front& front, ReadOptions options = {}) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto got = test::get(sim, front, cart_key, options);
    if (!got.ec) return got;
  }
  FAIL("the cart could not be read");
  return {};
}

template <class Front>
test::Outcome<WriteResult> write_cart(testing::Simulator& sim, Front& front,
                                      const Context& context, const Value& value) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto wrote = test::put(sim, front, cart_key, context, value);
    if (!wrote.ec) return wrote;
  }
  FAIL("the cart could not be written");
  return {};
}

// Turns the resolved cart a shopper read (none if the key is absent) into the cart it writes.
using Edit = std::function<Value(const std::vector<Value>& resolved)>;

// Writes `initial`, cuts the cluster in two, lets alice edit the cart on one side and bob on
// the other, heals, waits for hinted handoff and returns a read of all three home replicas.
//
// Alice's side holds two home replicas, so her write reaches W = 2 of them directly. Bob's side
// holds the third home replica and both fallbacks, so his write succeeds through the sloppy
// quorum: the fallbacks stand in for the two home replicas they cannot reach, and keep hints.
template <class Resolver>
GetResult edit_on_both_sides(std::uint64_t seed, const Value& initial, const Edit& alice_edit,
                             const Edit& bob_edit) {
  testing::Simulator sim(seed);
  testing::SimCluster<Resolver> cluster(sim, nodes, test::small_config());
  auto alice = cluster.make_client("alice", 500ms);
  auto bob = cluster.make_client("bob", 500ms);
  (void)write_cart(sim, *alice, {}, initial);
  sim.run_for(500ms);  // every home replica has the initial cart, both clients have the ring

  const std::vector<std::string> home = test::primaries(cluster, cart_key);
  REQUIRE(home.size() == 3);
  std::set<std::string> bob_side{"bob", home[2]};
  for (const std::string& node : nodes) {
    if (std::ranges::find(home, node) == home.end()) bob_side.insert(node);
  }
  sim.partition({{"alice", home[0], home[1]}, bob_side});

  for (auto [client, edit] : {std::pair{alice.get(), &alice_edit}, std::pair{bob.get(), &bob_edit}}) {
    const auto seen = read_cart(sim, *client);
    const auto wrote = write_cart(sim, *client, seen.result.context, (*edit)(seen.result.values));
    // On its own side, each write supersedes the initial cart and sees no other.
    CHECK(wrote.result.siblings.size() == 1);
  }
  CHECK(sim.faults().partitioned > 0);

  sim.heal();
  sim.run_for(3s);
  CHECK(cluster.hint_count() == 0);
  return read_cart(sim, *alice, ReadOptions{3, false}).result;
}

Cart decode_one(const std::vector<Value>& values) {
  REQUIRE(values.size() == 1);
  auto cart = Cart::decode(values.front());
  REQUIRE(cart.has_value());
  return *cart;
}

// An OR-set edit: decode what was read, check the shopper saw `must_see`, change it, encode.
Edit orset_edit(std::string must_see, std::function<void(Cart&)> change) {
  return [must_see = std::move(must_see), change = std::move(change)](const auto& resolved) {
    Cart cart = decode_one(resolved);
    REQUIRE(cart.contains(must_see));
    change(cart);
    return cart.encode();
  };
}

Edit naive_edit(std::string must_see, std::function<void(std::set<std::string>&)> change) {
  return [must_see = std::move(must_see), change = std::move(change)](const auto& resolved) {
    REQUIRE(resolved.size() == 1);
    auto items = shopping_cart::parse_item_list(resolved.front());
    REQUIRE(items.contains(must_see));
    change(items);
    return shopping_cart::format_item_list(items);
  };
}

}  // namespace

TEST_CASE("adds on both sides of a partition come back as one merged cart",
          "[cart][sim][partition]") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    Cart initial;
    initial.add("book", {"setup", 1});
    const GetResult read = edit_on_both_sides<CartMerge>(
        seed, initial.encode(),
        orset_edit("book", [](Cart& cart) { cart.add("pen", {"alice", 1}); }),
        orset_edit("book", [](Cart& cart) { cart.add("lamp", {"bob", 1}); }));
    CHECK(read.siblings.size() == 2);  // the two sides' writes were concurrent
    CHECK(decode_one(read.values).items() == std::vector<std::string>{"book", "lamp", "pen"});
  }
}

TEST_CASE("a naive union brings a removed item back but the OR-set cart does not",
          "[cart][sim][resurrection]") {
  // Both sides have seen book and pen. Alice removes pen; bob, still seeing pen, adds lamp.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    const GetResult naive = edit_on_both_sides<NaiveUnionMerge>(
        seed, "book,pen", naive_edit("pen", [](auto& items) { items.erase("pen"); }),
        naive_edit("pen", [](auto& items) { items.insert("lamp"); }));
    CHECK(naive.siblings.size() == 2);
    // The bug, asserted so that it stays documented: bob's sibling still lists pen, and a
    // union cannot know that alice removed it, so pen is back in the cart.
    CHECK(naive.values == std::vector<Value>{"book,lamp,pen"});

    Cart initial;
    initial.add("book", {"setup", 1});
    initial.add("pen", {"setup", 2});
    const GetResult orset = edit_on_both_sides<CartMerge>(
        seed, initial.encode(), orset_edit("pen", [](Cart& cart) { cart.remove("pen"); }),
        orset_edit("pen", [](Cart& cart) { cart.add("lamp", {"bob", 1}); }));
    CHECK(orset.siblings.size() == 2);
    // Alice's sibling carries pen's tag as a tombstone, so bob's copy of that tag is dropped.
    CHECK(decode_one(orset.values).items() == std::vector<std::string>{"book", "lamp"});
  }
}

TEST_CASE("the demo driver shows every step it narrates on a simulated cluster",
          "[cart][sim][demo]") {
  testing::Simulator sim(42);
  testing::SimCluster<CartMerge> cluster(sim, nodes, Config{});
  auto alice = cluster.make_client("alice");
  auto bob = cluster.make_client("bob");
  const std::string victim = test::primaries(cluster, cart_key).front();
  std::ostringstream out;
  std::size_t hints_while_down = 0;
  shopping_cart::DemoWorld world;
  world.out = &out;
  world.run_for = [&](std::chrono::milliseconds span) { sim.run_for(span); };
  world.kill_node = [&] {
    cluster.crash(victim);
    return victim;
  };
  world.restart_node = [&] {
    hints_while_down += cluster.hint_count();
    cluster.restart(victim);
  };
  world.status = [] { return std::string("status"); };
  const int failures = shopping_cart::run_cart_demo(*alice, *bob, world);
  INFO(out.str());
  CHECK(failures == 0);
  CHECK(hints_while_down > 0);  // the writes during the failure went through the sloppy quorum
  CHECK(cluster.hint_count() == 0);
  CHECK_THAT(out.str(), Catch::Contains("Every step behaved as described."));
}
