// Archetypes: the least a user's policy type must provide. Each satisfies its concept with
// nothing beyond it, which proves the concepts ask for no more than they document, and the
// near-misses below prove each requirement is actually checked.

#include <catch2/catch.hpp>

#include "dynamo/concepts.hpp"
#include "dynamo/resolve/keep_siblings.hpp"
#include "dynamo/resolve/last_write_wins.hpp"
#include "dynamo/storage/memory_storage.hpp"

namespace archetype {

struct Storage {
  std::optional<dynamo::Siblings> get(dynamo::ring::Position, std::string_view) const { return {}; }
  void put(dynamo::ring::Position, std::string_view, dynamo::Siblings) {}
  bool erase(dynamo::ring::Position, std::string_view) { return false; }
  void for_each_in_range(dynamo::ring::PositionRange, const dynamo::RangeVisitor&) const {}
  std::size_t size() const { return 0; }
  std::optional<dynamo::Siblings> get_hint(std::string_view, std::string_view) const { return {}; }
  void put_hint(std::string_view, std::string_view, dynamo::Siblings) {}
  bool erase_hint(std::string_view, std::string_view) { return false; }
  void for_each_hint(const dynamo::HintVisitor&) const {}
  std::size_t hint_count() const { return 0; }
  std::optional<std::string> get_meta(std::string_view) const { return {}; }
  void put_meta(std::string_view, std::optional<std::string>) {}
};

struct Transport {
  void send(std::string_view, std::string) {}
  void on_receive(dynamo::ReceiveHandler) {}
  dynamo::TimerId schedule(std::chrono::milliseconds, std::function<void()>) { return 0; }
  void cancel(dynamo::TimerId) {}
  std::chrono::milliseconds now() const { return {}; }
  std::uint64_t wall_clock_ms() const { return 0; }
  std::uint64_t random() { return 4; }
  void post(std::function<void()>) {}
};

struct Resolver {
  static std::string_view name() { return "archetype"; }
  std::vector<dynamo::Value> resolve(std::span<const dynamo::Versioned>) const { return {}; }
};

// Near-misses: one requirement missing or wrong each.
struct StorageWithoutErase {
  std::optional<dynamo::Siblings> get(dynamo::ring::Position, std::string_view) const { return {}; }
  void put(dynamo::ring::Position, std::string_view, dynamo::Siblings) {}
  void for_each_in_range(dynamo::ring::PositionRange, const dynamo::RangeVisitor&) const {}
  std::size_t size() const { return 0; }
  std::optional<dynamo::Siblings> get_hint(std::string_view, std::string_view) const { return {}; }
  void put_hint(std::string_view, std::string_view, dynamo::Siblings) {}
  bool erase_hint(std::string_view, std::string_view) { return false; }
  void for_each_hint(const dynamo::HintVisitor&) const {}
  std::size_t hint_count() const { return 0; }
};

struct StorageWithoutHints {
  std::optional<dynamo::Siblings> get(dynamo::ring::Position, std::string_view) const { return {}; }
  void put(dynamo::ring::Position, std::string_view, dynamo::Siblings) {}
  bool erase(dynamo::ring::Position, std::string_view) { return false; }
  void for_each_in_range(dynamo::ring::PositionRange, const dynamo::RangeVisitor&) const {}
  std::size_t size() const { return 0; }
};

struct StorageWithoutMeta {
  std::optional<dynamo::Siblings> get(dynamo::ring::Position, std::string_view) const { return {}; }
  void put(dynamo::ring::Position, std::string_view, dynamo::Siblings) {}
  bool erase(dynamo::ring::Position, std::string_view) { return false; }
  void for_each_in_range(dynamo::ring::PositionRange, const dynamo::RangeVisitor&) const {}
  std::size_t size() const { return 0; }
  std::optional<dynamo::Siblings> get_hint(std::string_view, std::string_view) const { return {}; }
  void put_hint(std::string_view, std::string_view, dynamo::Siblings) {}
  bool erase_hint(std::string_view, std::string_view) { return false; }
  void for_each_hint(const dynamo::HintVisitor&) const {}
  std::size_t hint_count() const { return 0; }
};

struct StorageWithMutatingGet : Storage {
  std::optional<dynamo::Siblings> get(dynamo::ring::Position, std::string_view) { return {}; }
};

struct TransportWithoutClock {
  void send(std::string_view, std::string) {}
  void on_receive(dynamo::ReceiveHandler) {}
  dynamo::TimerId schedule(std::chrono::milliseconds, std::function<void()>) { return 0; }
  void cancel(dynamo::TimerId) {}
  std::uint64_t wall_clock_ms() const { return 0; }
  std::uint64_t random() { return 4; }
  void post(std::function<void()>) {}
};

struct TransportWithoutPost {
  void send(std::string_view, std::string) {}
  void on_receive(dynamo::ReceiveHandler) {}
  dynamo::TimerId schedule(std::chrono::milliseconds, std::function<void()>) { return 0; }
  void cancel(dynamo::TimerId) {}
  std::chrono::milliseconds now() const { return {}; }
  std::uint64_t wall_clock_ms() const { return 0; }
  std::uint64_t random() { return 4; }
};

struct ResolverWithoutName {
  std::vector<dynamo::Value> resolve(std::span<const dynamo::Versioned>) const { return {}; }
};

struct ResolverReturningOneValue {
  static std::string_view name() { return "one"; }
  dynamo::Value resolve(std::span<const dynamo::Versioned>) const { return {}; }
};

}  // namespace archetype

static_assert(dynamo::Storage<archetype::Storage>);
static_assert(dynamo::Transport<archetype::Transport>);
static_assert(dynamo::ConflictResolver<archetype::Resolver>);
static_assert(dynamo::Storage<dynamo::MemoryStorage>);
static_assert(dynamo::ConflictResolver<dynamo::KeepSiblings>);
static_assert(dynamo::ConflictResolver<dynamo::LastWriteWins>);

static_assert(!dynamo::Storage<archetype::StorageWithoutErase>);
static_assert(!dynamo::Storage<archetype::StorageWithMutatingGet>);
static_assert(!dynamo::Storage<archetype::StorageWithoutHints>);
static_assert(!dynamo::Storage<archetype::StorageWithoutMeta>);
static_assert(!dynamo::Transport<archetype::TransportWithoutClock>);
static_assert(!dynamo::Transport<archetype::TransportWithoutPost>);
static_assert(!dynamo::DeferredDurability<dynamo::MemoryStorage>);
static_assert(!dynamo::MaintainedStorage<dynamo::MemoryStorage>);
static_assert(!dynamo::ConflictResolver<archetype::ResolverWithoutName>);
static_assert(!dynamo::ConflictResolver<archetype::ResolverReturningOneValue>);

TEST_CASE("concepts.hpp names policies without pulling in Asio or OpenSSL", "[concepts]") {
#if defined(ASIO_VERSION) || defined(OPENSSL_VERSION_NUMBER)
  FAIL("a policy header included Asio or OpenSSL");
#endif
  SUCCEED("concepts, MemoryStorage and the resolvers compiled without Asio and OpenSSL");
}

TEST_CASE("archetypes are usable where a policy is expected", "[concepts]") {
  archetype::Storage storage;
  archetype::Resolver resolver;
  CHECK_FALSE(storage.get({}, "k").has_value());
  CHECK(resolver.resolve({}).empty());
  CHECK(archetype::Transport{}.random() == 4);
}
