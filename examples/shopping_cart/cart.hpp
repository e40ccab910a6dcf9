#pragma once
// A shopping cart kept in dynamo, and the two ways to merge concurrent versions of it.
//
// Dynamo never picks a winner between concurrent writes: a read returns every version no other
// version has seen (siblings), and the application's ConflictResolver merges them. The paper's
// cart merges by set union, which is easy and loses no "add to cart", but "deleted items can
// resurface" (SOSP 2007, section 4.4). NaiveUnionMerge reproduces that; Cart with CartMerge is an
// add-wins observed-remove set (OR-set, Shapiro et al. 2011) that merges without resurrection.
//
// This is example code: it is compiled into the example programs and their tests, not into the
// library.

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dynamo/concepts.hpp>
#include <dynamo/core/versioned.hpp>

namespace shopping_cart {

// The identity of one "add to cart": who added (a writer id) and that writer's counter.
// REQUIRES: unique per add across the whole cart's history. Use a writer id that no other
// client or session shares (e.g. user and session id) and a counter the writer never reuses;
// two adds with one tag are one add, so removing either removes both.
struct Tag {
  std::string writer;
  std::uint64_t counter = 0;

  friend auto operator<=>(const Tag&, const Tag&) = default;
  friend bool operator==(const Tag&, const Tag&) = default;
};

std::ostream& operator<<(std::ostream& os, const Tag& tag);

// Cart: an add-wins observed-remove set of item names.
//
// Every add carries a fresh Tag; an item is in the cart while it has a tag that no remove has
// covered. remove() covers only the tags this copy has seen, so a remove made on one replica
// cannot undo an add it never saw (a concurrent add wins), and the covered tags are kept as
// tombstones, so merging with a stale copy that still holds the removed adds cannot bring the
// item back. merge() is a union of adds and of tombstones: commutative, associative and
// idempotent, so replicas and siblings may be merged in any order, any number of times.
//
// Size: an add tag is dropped as soon as it is tombstoned, so live items cost one tag per
// concurrent add. Tombstones are never dropped: forgetting one is safe only once no copy
// anywhere still holds its add, which a cart value cannot know (that needs causal stability
// from the store). A cart therefore grows by one tag per removed add over its lifetime.
//
// A Cart is a regular value type: copyable, comparable, printable. Two carts are equal exactly
// when their encodings are equal.
class Cart {
 public:
  Cart() = default;

  // Adds item under tag. Ignored when the tag is already tombstoned (a replay of a removed add).
  void add(std::string item, Tag tag);

  // Removes item as this copy has seen it: every tag it holds for the item becomes a tombstone.
  // Returns true when the item was in the cart.
  bool remove(std::string_view item);

  bool contains(std::string_view item) const { return live_.contains(item); }
  bool empty() const { return live_.empty(); }

  // The items in the cart, sorted.
  std::vector<std::string> items() const;

  // Joins other into this cart (see the class comment for the laws it obeys).
  void merge(const Cart& other);

  std::size_t tombstone_count() const { return removed_.size(); }

  // A versioned, length-prefixed text form (see cart.cpp for the grammar). Any bytes may
  // appear in items and writer ids.
  std::string encode() const;

  // Accepts exactly what encode() produces. Anything else, truncated or edited or foreign,
  // yields nullopt; no input can crash it or make it allocate more than the input's size.
  static std::optional<Cart> decode(std::string_view bytes);

  friend bool operator==(const Cart&, const Cart&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Cart& cart);

 private:
  friend class CartDecoder;

  // Drops every live tag that is tombstoned, and every item left without a tag.
  void drop_removed();

  // Invariant: no empty tag set, and no tag that is also in removed_.
  std::map<std::string, std::set<Tag>, std::less<>> live_;
  std::set<Tag> removed_;
};

// Resolves the siblings of a cart key by OR-set merge: one cart holding every add that no
// version's remove has covered. Tombstoned versions (the key itself was removed) are skipped,
// so a removal of the whole key loses to a concurrent write of a cart, as add-wins demands.
// Returns nothing when every version is a tombstone.
//
// A live version that does not decode (written by a foreign or buggy writer) is skipped rather
// than failing the read: failing would make the cart unreadable for good, while skipping lets
// the next write, whose context covers every sibling read, replace the garbage with a good cart.
// What the garbage held is lost either way, since nobody can read it.
struct CartMerge {
  static constexpr std::string_view name() { return "example.cart_orset"; }
  std::vector<dynamo::Value> resolve(std::span<const dynamo::Versioned> versions) const;
};

// The paper's merge: a cart is "item,item,..." and siblings merge by set union. A union cannot
// tell "bob never had pen" from "alice removed pen", so an item removed in one sibling comes
// back when any concurrent sibling still lists it. Kept to show that bug next to the fix.
struct NaiveUnionMerge {
  static constexpr std::string_view name() { return "example.cart_naive_union"; }
  std::vector<dynamo::Value> resolve(std::span<const dynamo::Versioned> versions) const;
};

// The comma-separated form NaiveUnionMerge uses. "" is the empty cart; empty items are dropped.
std::set<std::string> parse_item_list(std::string_view list);
std::string format_item_list(const std::set<std::string>& items);

static_assert(dynamo::ConflictResolver<CartMerge>, "CartMerge must be a dynamo ConflictResolver");
static_assert(dynamo::ConflictResolver<NaiveUnionMerge>,
              "NaiveUnionMerge must be a dynamo ConflictResolver");

}  // namespace shopping_cart
