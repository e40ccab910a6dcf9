#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <tuple>

#include "dynamo/storage/memory_storage.hpp"

using dynamo::MemoryStorage;
using dynamo::Siblings;
using dynamo::ring::Position;
using dynamo::ring::PositionRange;

namespace {
Siblings one_version(const std::string& value) {
  Siblings s;
  s.add(s.successor(dynamo::ActorId{1}, 1, {}, value, false));
  return s;
}

std::vector<std::string> keys_in(const MemoryStorage& store, PositionRange range) {
  std::vector<std::string> keys;
  store.for_each_in_range(range, [&](Position, std::string_view key, const Siblings&) {
    keys.emplace_back(key);
  });
  return keys;
}
}  // namespace

TEST_CASE("memory storage puts, gets, replaces and erases sibling sets", "[storage]") {
  MemoryStorage store;
  const Position p{5, 9};
  CHECK_FALSE(store.get(p, "k").has_value());
  store.put(p, "k", one_version("a"));
  REQUIRE(store.get(p, "k").has_value());
  CHECK(store.get(p, "k")->versions()[0].value == "a");
  store.put(p, "k", one_version("b"));
  CHECK(store.get(p, "k")->versions()[0].value == "b");
  CHECK(store.size() == 1);
  CHECK(store.erase(p, "k"));
  CHECK_FALSE(store.erase(p, "k"));
  CHECK(store.size() == 0);
}

TEST_CASE("putting an empty sibling set erases the key", "[storage]") {
  MemoryStorage store;
  store.put({1, 1}, "k", one_version("a"));
  store.put({1, 1}, "k", Siblings{});
  CHECK_FALSE(store.get({1, 1}, "k").has_value());
  CHECK(store.size() == 0);
}

TEST_CASE("keys with the same position are kept apart", "[storage]") {
  MemoryStorage store;
  store.put({3, 3}, "a", one_version("1"));
  store.put({3, 3}, "b", one_version("2"));
  CHECK(store.size() == 2);
  CHECK(store.get({3, 3}, "b")->versions()[0].value == "2");
  CHECK_FALSE(store.get({3, 4}, "a").has_value());
}

TEST_CASE("range iteration returns exactly the keys inside, in position order", "[storage]") {
  MemoryStorage store;
  store.put({0, 0}, "first", one_version("x"));
  store.put({10, 0}, "low-edge", one_version("x"));
  store.put({15, 7}, "middle", one_version("x"));
  store.put({20, ~0ULL}, "high-edge", one_version("x"));
  store.put({21, 0}, "outside", one_version("x"));
  store.put({~0ULL, ~0ULL}, "last", one_version("x"));
  CHECK(keys_in(store, {{10, 0}, {20, ~0ULL}}) ==
        std::vector<std::string>{"low-edge", "middle", "high-edge"});
  CHECK(keys_in(store, {{0, 0}, {~0ULL, ~0ULL}}).size() == 6);
  CHECK(keys_in(store, {{22, 0}, {30, 0}}).empty());
}

TEST_CASE("property: memory storage behaves as a map from (position, key)", "[storage][property]") {
  std::mt19937_64 rng(11);
  MemoryStorage store;
  std::map<std::tuple<Position, std::string>, std::string> model;
  for (int i = 0; i < 5000; ++i) {
    const Position pos{rng() % 8, rng() % 2};
    const std::string key = "k" + std::to_string(rng() % 16);
    const std::string value = std::to_string(i);
    switch (rng() % 3) {
      case 0:
        store.put(pos, key, one_version(value));
        model[{pos, key}] = value;
        break;
      case 1:
        CHECK(store.erase(pos, key) == (model.erase({pos, key}) == 1));
        break;
      default: {
        const auto got = store.get(pos, key);
        const auto it = model.find({pos, key});
        REQUIRE(got.has_value() == (it != model.end()));
        if (got) CHECK(got->versions()[0].value == it->second);
      }
    }
  }
  CHECK(store.size() == model.size());
  std::vector<std::string> from_model;
  for (const auto& [slot, value] : model) from_model.push_back(std::get<1>(slot));
  CHECK(keys_in(store, {{0, 0}, {~0ULL, ~0ULL}}) == from_model);
}

TEST_CASE("memory storage keeps hints per owner and key, apart from its own keys", "[storage]") {
  MemoryStorage store;
  store.put({1, 1}, "k", one_version("own"));
  store.put_hint("node-b", "k", one_version("for-b"));
  store.put_hint("node-a", "k", one_version("for-a"));
  store.put_hint("node-a", "j", one_version("for-a-j"));
  CHECK(store.size() == 1);
  CHECK(store.hint_count() == 3);
  CHECK(store.get_hint("node-b", "k")->versions()[0].value == "for-b");
  CHECK_FALSE(store.get_hint("node-c", "k").has_value());
  std::vector<std::string> order;
  store.for_each_hint([&](std::string_view owner, std::string_view key, const Siblings&) {
    order.push_back(std::string(owner) + "/" + std::string(key));
  });
  CHECK(order == std::vector<std::string>{"node-a/j", "node-a/k", "node-b/k"});
  store.put_hint("node-a", "j", Siblings{});
  CHECK(store.hint_count() == 2);
  CHECK(store.erase_hint("node-b", "k"));
  CHECK_FALSE(store.erase_hint("node-b", "k"));
  CHECK(store.get({1, 1}, "k")->versions()[0].value == "own");
}
