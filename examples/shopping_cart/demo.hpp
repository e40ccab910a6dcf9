#pragma once
// The shopping-cart demo, written once for any way of reaching a cluster: a simulated one
// (simulated_demo.cpp) or real peers over TCP. It narrates the Dynamo paper's cart: two shoppers
// add to one cart without seeing each other's writes, a node dies and writes go on, the node
// returns and gets its data back, a read merges the versions into one cart, and a removal that
// the OR-set keeps removed where the paper's plain union would bring the item back.
//
// Front is anything with dynamo's async_get(key, token) and async_put(key, context, value,
// token), such as dynamo::Client or dynamo::Node with the CartMerge resolver.
//
// Example:
//   shopping_cart::DemoWorld world;
//   world.run_for = [&](auto span) { sim.run_for(span); };
//   world.kill_node = [&] { cluster.crash("c"); return std::string("c"); };
//   world.restart_node = [&] { cluster.restart("c"); };
//   return shopping_cart::run_cart_demo(*alice, *bob, world);

#include <chrono>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "shopping_cart/cart.hpp"
#include "shopping_cart/shopper.hpp"

namespace shopping_cart {

// Runs the demo; the steps are the member functions, in order. Each step states what it expects
// and the demo reports every expectation that did not hold.
template <class Front>
class CartDemo {
 public:
  CartDemo(Front& alice, Front& bob, const DemoWorld& world)
      : world_(world), timeline_{world}, alice_("alice", alice, timeline_),
        bob_("bob", bob, timeline_) {}

  // Returns the number of expectations that failed: 0 means the demo showed what it claims.
  int run() {
    concurrent_adds();
    writes_while_a_node_is_down();
    node_returns();
    one_merged_cart();
    remove_without_resurrection();
    compare_naive_union();
    out() << "\n" << (failures_ == 0 ? "Every step behaved as described."
                                     : std::to_string(failures_) + " step(s) did not behave as "
                                                                   "described (see !! above).")
          << "\n";
    return failures_;
  }

 private:
  using Snapshot = demo_detail::Snapshot;
  using Shopper = demo_detail::Shopper<Front>;

  void concurrent_adds() {
    step("alice and bob add to " + world_.key + " at the same time");
    const auto [alice_saw, bob_saw] = read_both();
    if (!alice_saw || !bob_saw) return;
    const Cart alice_cart = with_item(alice_, *alice_saw, "book");
    const Cart bob_cart = with_item(bob_, *bob_saw, "pen");
    write_both(*alice_saw, alice_cart, *bob_saw, bob_cart);
    say("Neither write saw the other: each carried the context of its writer's read, from before");
    say("either write. Dynamo does not guess which should win; it keeps both as siblings.");
    const auto now = read(bob_);
    if (!now) return;
    expect(now->versions == 2, "the cart to have 2 siblings");
    expect(now->cart.items() == std::vector<std::string>{"book", "pen"}, "[book, pen]");
  }

  void writes_while_a_node_is_down() {
    victim_ = world_.kill_node();
    step("node " + victim_ + " is killed; alice adds lamp and bob adds mug, again concurrently");
    say("Each write goes to the first N reachable nodes of the key's preference list. When a");
    say("home replica is down, the next node on the list stands in and keeps the write with a");
    say("hint naming the owner (the sloppy quorum), so the cart stays writeable.");
    const auto [alice_saw, bob_saw] = read_both();
    if (!alice_saw || !bob_saw) return;
    const Cart alice_cart = with_item(alice_, *alice_saw, "lamp");
    const Cart bob_cart = with_item(bob_, *bob_saw, "mug");
    write_both(*alice_saw, alice_cart, *bob_saw, bob_cart);
    // The coordinator gives a silent target half its deadline before a stand-in takes its copy.
    timeline_.pass(std::chrono::seconds(2));
    say("A moment later, the writes " + victim_ + " missed wait as hints on other nodes.");
    show_status();
  }

  void node_returns() {
    world_.restart_node();
    step("node " + victim_ + " is back");
    timeline_.pass(std::chrono::seconds(5));
    say("Nodes holding hints offer them to their owners periodically; once " + victim_ +
        " answers, it");
    say("receives the writes it missed (hinted handoff) and the stand-ins drop their hints.");
    show_status();
  }

  void one_merged_cart() {
    step("bob reads " + world_.key);
    auto now = read(bob_);
    if (!now) return;
    say("The read found " + std::to_string(now->versions) +
        " siblings; CartMerge merged them into one cart: " + demo_detail::show(now->cart.items()));
    say("Inside, each item keeps the tags of the adds that put it there:");
    say("  " + text(now->cart));
    expect(now->versions == 2, "2 siblings (alice's lamp and bob's mug)");
    expect(now->cart.items() == std::vector<std::string>{"book", "lamp", "mug", "pen"},
           "[book, lamp, mug, pen]");
    say("bob writes the merged cart back with the read's context, which covers both siblings:");
    write(bob_, *now, now->cart);
    const auto after = read(alice_);
    if (after) expect(after->versions == 1, "a single version after bob's write");
  }

  void remove_without_resurrection() {
    step("alice removes pen while bob, who also sees pen, adds cup");
    const auto [alice_saw, bob_saw] = read_both();
    if (!alice_saw || !bob_saw) return;
    before_removal_ = alice_saw->cart.items();
    Cart removed = alice_saw->cart;
    removed.remove("pen");
    say("alice removes pen: the tags of pen she has seen become tombstones in her cart.");
    const Cart bob_cart = with_item(bob_, *bob_saw, "cup");
    write_both(*alice_saw, removed, *bob_saw, bob_cart);
    const auto now = read(alice_);
    if (!now) return;
    say("The read merged alice's cart (pen's tag tombstoned) with bob's (pen listed, cup added):");
    say("  " + text(now->cart));
    say("pen's only tag is tombstoned, so pen stays removed, and cup is in.");
    expect(!now->cart.contains("pen") && now->cart.contains("cup"), "pen gone, cup present");
  }

  void compare_naive_union() {
    step("the same two edits under the paper's plain union (computed locally, no cluster)");
    std::set<std::string> alice_list(before_removal_.begin(), before_removal_.end());
    std::set<std::string> bob_list = alice_list;
    alice_list.erase("pen");
    bob_list.insert("cup");
    std::vector<dynamo::Versioned> siblings(2);
    siblings[0].value = format_item_list(alice_list);
    siblings[1].value = format_item_list(bob_list);
    const auto merged = NaiveUnionMerge{}.resolve(siblings);
    say("alice's version: " + siblings[0].value + "    bob's version: " + siblings[1].value);
    say("union: " + merged.front() + "  <- pen is back. A union cannot tell \"alice removed");
    say("pen\" from \"bob never had pen\"; the paper notes deleted items can resurface this way.");
    expect(parse_item_list(merged.front()).contains("pen"), "the union to resurrect pen");

    Cart base;
    base.add("pen", bob_.next_tag());
    Cart remover = base;
    remover.remove("pen");
    Cart adder = base;
    adder.add("pen", bob_.next_tag());
    remover.merge(adder);
    say("And add wins: had bob added pen again instead, the OR-set would keep it, because");
    say("alice's remove covers only the adds she had seen: " +
        demo_detail::show(remover.items()));
    expect(remover.contains("pen"), "a concurrent add of pen to win");
  }

  // Both shoppers read at once, so neither read can see the other's next write.
  std::pair<std::optional<Snapshot>, std::optional<Snapshot>> read_both() {
    auto alice_call = alice_.start_read();
    auto bob_call = bob_.start_read();
    auto alice_saw = alice_.finish_read(std::move(alice_call));
    auto bob_saw = bob_.finish_read(std::move(bob_call));
    report_read(alice_, alice_saw);
    report_read(bob_, bob_saw);
    return {std::move(alice_saw), std::move(bob_saw)};
  }

  std::optional<Snapshot> read(Shopper& who) {
    auto got = who.finish_read(who.start_read());
    report_read(who, got);
    return got;
  }

  void report_read(const Shopper& who, const std::optional<Snapshot>& got) {
    if (!got) return expect(false, who.name() + "'s read to succeed");
    const std::string found =
        got->versions == 0 ? "empty, no version stored yet"
                           : demo_detail::show(got->cart.items()) + " (" +
                                 std::to_string(got->versions) + " version" +
                                 (got->versions == 1 ? ")" : "s)");
    say(who.name() + " reads " + world_.key + ": " + found);
  }

  Cart with_item(Shopper& who, const Snapshot& base, const std::string& item) {
    Cart cart = base.cart;
    const Tag tag = who.next_tag();
    cart.add(item, tag);
    std::ostringstream tag_text;
    tag_text << tag;
    say(who.name() + " adds " + item + " (tag " + tag_text.str() + ") to the cart " +
        who.name() + " read, and writes it with that read's context");
    return cart;
  }

  void write_both(const Snapshot& alice_base, const Cart& alice_cart, const Snapshot& bob_base,
                  const Cart& bob_cart) {
    auto alice_call = alice_.start_write(alice_base, alice_cart);
    auto bob_call = bob_.start_write(bob_base, bob_cart);
    if (!alice_.finish_write(std::move(alice_call), alice_base, alice_cart)) {
      expect(false, "alice's write to succeed");
    }
    if (!bob_.finish_write(std::move(bob_call), bob_base, bob_cart)) {
      expect(false, "bob's write to succeed");
    }
  }

  void write(Shopper& who, const Snapshot& base, const Cart& cart) {
    if (!who.finish_write(who.start_write(base, cart), base, cart)) {
      expect(false, who.name() + "'s write to succeed");
    }
  }

  static std::string text(const Cart& cart) {
    std::ostringstream out;
    out << cart;
    return out.str();
  }

  void show_status() {
    if (world_.status) say("cluster: " + world_.status());
  }

  void expect(bool held, const std::string& what) {
    if (held) return;
    ++failures_;
    out() << "    !! expected " << what << "\n";
  }

  void step(const std::string& title) { out() << "\n[" << ++step_ << "] " << title << "\n"; }
  void say(const std::string& line) { out() << "    " << line << "\n"; }
  std::ostream& out() { return *world_.out; }

  const DemoWorld& world_;
  demo_detail::Timeline timeline_;
  Shopper alice_;
  Shopper bob_;
  std::string victim_;
  std::vector<std::string> before_removal_;
  int step_ = 0;
  int failures_ = 0;
};

// Runs the demo with two shoppers, each on its own client, and returns the number of
// expectations that failed.
template <class Front>
int run_cart_demo(Front& alice, Front& bob, const DemoWorld& world) {
  return CartDemo<Front>(alice, bob, world).run();
}

}  // namespace shopping_cart
