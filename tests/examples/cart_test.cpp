// The shopping-cart example's OR-set, codec and resolvers, without a cluster: the merge laws
// checked against a model on random histories, add-wins and observed-remove, and a decoder
// that refuses whatever encode() would not produce.

#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "shopping_cart/cart.hpp"

using shopping_cart::Cart;
using shopping_cart::CartMerge;
using shopping_cart::NaiveUnionMerge;
using shopping_cart::Tag;

namespace {

using Items = std::vector<std::string>;

Cart merged(Cart a, const Cart& b) {
  a.merge(b);
  return a;
}

// The OR-set as specified, with nothing ever forgotten: every (item, tag) added and every tag
// removed. Cart compacts; it must agree with this on every item.
struct ModelCart {
  std::set<std::pair<std::string, Tag>> adds;
  std::set<Tag> removed;

  void add(const std::string& item, const Tag& tag) { adds.emplace(item, tag); }
  void remove(const std::string& item) {
    for (const auto& [name, tag] : adds) {
      if (name == item) removed.insert(tag);
    }
  }
  void merge(const ModelCart& other) {
    adds.insert(other.adds.begin(), other.adds.end());
    removed.insert(other.removed.begin(), other.removed.end());
  }
  Items items() const {
    std::set<std::string> out;
    for (const auto& [item, tag] : adds) {
      if (!removed.contains(tag)) out.insert(item);
    }
    return {out.begin(), out.end()};
  }
};

// Replicas that add, remove and merge at random, with the model alongside; every state any
// replica passes through is kept for the law checks.
struct RandomHistory {
  explicit RandomHistory(std::uint64_t seed) : rng(seed) {}

  void run(int steps) {
    for (int step = 0; step < steps; ++step) {
      const std::size_t r = rng() % carts.size();
      const std::uint64_t op = rng() % 10;
      const std::string item = pool[rng() % pool.size()];
      if (op < 5) {
        const Tag tag{"r" + std::to_string(r), ++counters[r]};
        carts[r].add(item, tag);
        models[r].add(item, tag);
      } else if (op < 8) {
        carts[r].remove(item);
        models[r].remove(item);
      } else {
        const std::size_t from = rng() % carts.size();
        carts[r].merge(carts[from]);
        models[r].merge(models[from]);
      }
      INFO("step " << step << ": " << carts[r]);
      REQUIRE(carts[r].items() == models[r].items());
      seen.push_back(carts[r]);
    }
  }

  std::mt19937_64 rng;
  std::array<Cart, 3> carts;
  std::array<ModelCart, 3> models;
  std::array<std::uint64_t, 3> counters{};
  std::vector<Cart> seen;
  const Items pool{"book", "pen", "lamp", "mug", "cup"};
};

}  // namespace

TEST_CASE("OR-set merge is commutative, associative and idempotent, and agrees with the model",
          "[cart][orset]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    RandomHistory history(seed);
    history.run(150);
    const auto& seen = history.seen;
    for (int check = 0; check < 200; ++check) {
      const Cart& a = seen[history.rng() % seen.size()];
      const Cart& b = seen[history.rng() % seen.size()];
      const Cart& c = seen[history.rng() % seen.size()];
      REQUIRE(merged(a, b) == merged(b, a));
      REQUIRE(merged(merged(a, b), c) == merged(a, merged(b, c)));
      REQUIRE(merged(a, a) == a);
      REQUIRE(merged(merged(a, b), b) == merged(a, b));
    }
    // Once every replica has merged every other, all agree with each other and the model.
    ModelCart all;
    Cart everything;
    for (std::size_t r = 0; r < 3; ++r) {
      everything.merge(history.carts[r]);
      all.merge(history.models[r]);
    }
    CHECK(everything.items() == all.items());
  }
}

TEST_CASE("a concurrent add wins over a remove of the same item", "[cart][orset]") {
  Cart base;
  base.add("pen", {"alice", 1});
  Cart alice = base;
  Cart bob = base;
  CHECK(alice.remove("pen"));
  bob.add("pen", {"bob", 1});  // bob adds pen again, not having seen alice's remove
  CHECK(merged(alice, bob).contains("pen"));
  CHECK(merged(bob, alice).contains("pen"));
  // Alice's remove took only the tag she had seen; bob's add survives it.
  CHECK(merged(alice, bob).tombstone_count() == 1);
}

TEST_CASE("an observed remove stays removed whatever it merges with", "[cart][orset]") {
  Cart base;
  base.add("book", {"alice", 1});
  base.add("pen", {"alice", 2});
  Cart remover = base;
  REQUIRE(remover.remove("pen"));
  Cart stale = base;              // never saw the remove, still lists pen
  Cart busy = base;               // saw pen, adds something else concurrently
  busy.add("lamp", {"bob", 1});
  for (const Cart& other : {base, stale, busy, merged(stale, busy)}) {
    CHECK_FALSE(merged(remover, other).contains("pen"));
    CHECK_FALSE(merged(other, remover).contains("pen"));
    CHECK(merged(remover, other).contains("book"));
  }
  CHECK(merged(remover, busy).items() == Items{"book", "lamp"});
  // A replayed add of the removed tag (a retried write) does not bring it back either.
  Cart replay = remover;
  replay.add("pen", {"alice", 2});
  CHECK_FALSE(replay.contains("pen"));
  CHECK_FALSE(remover.remove("pen"));
}

TEST_CASE("a cart keeps no tag it no longer needs for live items", "[cart][orset]") {
  Cart cart;
  cart.add("pen", {"alice", 1});
  cart.add("pen", {"bob", 1});
  cart.remove("pen");
  Cart stale;
  stale.add("pen", {"alice", 1});
  cart.merge(stale);
  CHECK(cart.empty());
  CHECK(cart.tombstone_count() == 2);
  CHECK(cart.encode() == "cart/1;0;2;5:alice1;3:bob1;");
}

TEST_CASE("encode and decode round-trip any item and writer bytes", "[cart][codec]") {
  Cart cart;
  CHECK(Cart::decode(cart.encode()) == cart);
  cart.add("book", {"alice", 1});
  cart.add("a,b", {"x:y;z", 18446744073709551615ULL});
  cart.add(std::string("nul\0byte", 8), {std::string(1, '\0'), 0});
  cart.add("", {"", 7});
  cart.add("gone", {"bob", 3});
  cart.remove("gone");
  const std::string bytes = cart.encode();
  const auto back = Cart::decode(bytes);
  REQUIRE(back.has_value());
  CHECK(*back == cart);
  CHECK(back->items() == cart.items());
  CHECK(back->encode() == bytes);

  RandomHistory history(99);
  history.run(100);
  for (const Cart& seen : history.seen) CHECK(Cart::decode(seen.encode()) == seen);
}

TEST_CASE("decoding truncated, edited or foreign bytes fails cleanly", "[cart][codec]") {
  Cart cart;
  cart.add("book", {"alice", 1});
  cart.add("pen", {"bob", 2});
  cart.remove("pen");
  cart.add("lamp", {"bob", 12});
  const std::string good = cart.encode();
  for (std::size_t n = 0; n < good.size(); ++n) CHECK_FALSE(Cart::decode(good.substr(0, n)));
  CHECK_FALSE(Cart::decode(good + "x"));

  // Any edit either fails or is itself a canonical encoding (never a crash, never a cart that
  // encodes differently from what was stored).
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string edited = good;
    edited[rng() % edited.size()] = static_cast<char>(rng() % 256);
    if (const auto cart_back = Cart::decode(edited)) CHECK(cart_back->encode() == edited);
  }
  // Garbage over the grammar's alphabet, which gets much further into the decoder.
  const std::string alphabet = "0123456789:;cart/1";
  for (int i = 0; i < 20000; ++i) {
    std::string garbage = "cart/1;";
    const std::size_t length = rng() % 40;
    for (std::size_t j = 0; j < length; ++j) garbage += alphabet[rng() % alphabet.size()];
    if (const auto cart_back = Cart::decode(garbage)) CHECK(cart_back->encode() == garbage);
  }

  for (const char* bad : {"", "book,pen", "cart/2;0;0;", "cart/1;0;0", "cart/1;0;0;;",
                          "cart/1;00;0;", "cart/1;1;0;",               // count 1, no item
                          "cart/1;1;4:book0;0;",                        // an item with no tags
                          "cart/1;1;99:book1;5:alice1;0;",              // length beyond the end
                          "cart/1;18446744073709551616;0;",             // 2^64 overflows
                          "cart/1;1;4:book1;5:alice1;1;5:alice1;",      // live and tombstoned
                          "cart/1;2;3:pen1;1:b1;4:book1;1:a1;0;",       // items out of order
                          "cart/1;1;4:book2;1:b1;1:a1;0;",              // tags out of order
                          "cart/1;0;2;1:a1;1:a1;"}) {                   // duplicate tombstone
    CAPTURE(bad);
    CHECK_FALSE(Cart::decode(bad));
  }
  CHECK(Cart::decode("cart/1;1;4:book1;5:alice1;0;").has_value());
}

namespace {

dynamo::Versioned version(std::uint64_t actor, dynamo::Value value, bool tombstone = false) {
  dynamo::Versioned v;
  v.dot = dynamo::Dot{dynamo::ActorId{actor}, 1};
  v.value = std::move(value);
  v.tombstone = tombstone;
  return v;
}

Cart single(const std::vector<dynamo::Value>& values) {
  REQUIRE(values.size() == 1);
  const auto cart = Cart::decode(values.front());
  REQUIRE(cart.has_value());
  return *cart;
}

}  // namespace

TEST_CASE("CartMerge resolves siblings into one cart and skips what it cannot read",
          "[cart][resolve]") {
  Cart alice;
  alice.add("book", {"alice", 1});
  Cart bob;
  bob.add("pen", {"bob", 1});
  const std::vector<dynamo::Versioned> siblings{version(1, alice.encode()), version(2, bob.encode()),
                                                version(3, "", true), version(4, "garbage")};
  CHECK(single(CartMerge{}.resolve(siblings)).items() == Items{"book", "pen"});
  CHECK(CartMerge{}.resolve({}).empty());
  const std::vector<dynamo::Versioned> removed{version(1, "", true), version(2, "", true)};
  CHECK(CartMerge{}.resolve(removed).empty());
  // A key whose only live version is unreadable still exists: it reads as an empty cart.
  const std::vector<dynamo::Versioned> unreadable{version(1, "garbage")};
  CHECK(single(CartMerge{}.resolve(unreadable)).empty());
}

TEST_CASE("the naive union resurrects a removed item but the OR-set does not", "[cart][resolve]") {
  // Both saw "book,pen". Alice removes pen; bob, concurrently, adds lamp.
  const std::vector<dynamo::Versioned> naive{version(1, "book"), version(2, "book,pen,lamp")};
  CHECK(NaiveUnionMerge{}.resolve(naive) == std::vector<dynamo::Value>{"book,lamp,pen"});

  Cart seen;
  seen.add("book", {"setup", 1});
  seen.add("pen", {"setup", 2});
  Cart alice = seen;
  alice.remove("pen");
  Cart bob = seen;
  bob.add("lamp", {"bob", 1});
  const std::vector<dynamo::Versioned> orset{version(1, alice.encode()), version(2, bob.encode())};
  CHECK(single(CartMerge{}.resolve(orset)).items() == Items{"book", "lamp"});
}

TEST_CASE("the item-list helpers of the naive cart", "[cart][resolve]") {
  CHECK(shopping_cart::parse_item_list("").empty());
  CHECK(shopping_cart::parse_item_list(",pen,,book,pen,") == std::set<std::string>{"book", "pen"});
  CHECK(shopping_cart::format_item_list({"pen", "book"}) == "book,pen");
  const std::vector<dynamo::Versioned> removed{version(1, "", true)};
  CHECK(NaiveUnionMerge{}.resolve(removed).empty());
  CHECK(NaiveUnionMerge{}.resolve({}).empty());
}
