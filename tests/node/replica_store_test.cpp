// The replica store, the one writer of a node's storage: each change of a stored key reaches
// the Merkle tree of its partition and the observer; hints and unchanged merges do not.

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "dynamo/node/replica_store.hpp"
#include "dynamo/storage/memory_storage.hpp"

using dynamo::ActorId;
using dynamo::Key;
using dynamo::MemoryStorage;
using dynamo::ReplicaStore;
using dynamo::Siblings;
namespace antientropy = dynamo::antientropy;
namespace ring = dynamo::ring;

namespace {

struct Change {
  ring::Position pos;
  std::string key;
  Siblings after;
};

struct RecordingObserver {
  std::vector<Change>* log;
  void changed(ring::Position pos, std::string_view key, const Siblings& after) {
    log->push_back({pos, std::string(key), after});
  }
};

const ring::RingParams params{ring::HashKind::xxh3_128, 4};
constexpr unsigned depth = 1;

ring::Position pos_of(std::string_view key) { return ring::hash_key(params.hash, key); }

Siblings version(std::uint64_t actor, std::uint64_t counter, const Siblings& over, const char* v) {
  Siblings s = over;
  s.add(s.successor(ActorId{actor}, counter, over.clock(), v, false));
  return s;
}

// The tree a partition should have: built afresh from what the storage holds.
std::uint64_t fresh_root(const MemoryStorage& storage, std::uint32_t partition) {
  antientropy::MerkleTree tree(params.partitions, partition, depth);
  storage.for_each_in_range(ring::partition_range(params, partition),
                            [&](ring::Position pos, std::string_view key, const Siblings& s) {
                              tree.update(pos, 0, antientropy::key_state_hash(key, s));
                            });
  return tree.root();
}

}  // namespace

TEST_CASE("every merge that changes a stored key reaches its partition's tree and the observer",
          "[node][replica-store]") {
  std::vector<Change> changes;
  ReplicaStore<MemoryStorage, RecordingObserver> store(MemoryStorage{}, params, depth,
                                                       RecordingObserver{&changes});
  const Key key = "k";
  const ring::Position pos = pos_of(key);
  const std::uint32_t partition = ring::partition_of(params, pos);
  const std::uint64_t empty_root = store.tree(partition).root();

  const Siblings v1 = version(1, 1, {}, "v1");
  CHECK(store.merge(pos, key, v1));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].key == key);
  CHECK(changes[0].after == v1);
  CHECK(store.tree(partition).root() != empty_root);
  CHECK(store.tree(partition).root() == fresh_root(store.storage(), partition));

  // Merging what is already there changes nothing and tells nobody.
  CHECK_FALSE(store.merge(pos, key, v1));
  CHECK(changes.size() == 1);

  const Siblings v2 = version(1, 2, v1, "v2");
  CHECK(store.merge(pos, key, v2));
  CHECK(changes.size() == 2);
  CHECK(store.get(pos, key) == v2);
  CHECK(store.tree(partition).root() == fresh_root(store.storage(), partition));

  store.erase(pos, key, v2);
  CHECK_FALSE(store.get(pos, key));
  CHECK(store.tree(partition).root() == empty_root);
}

TEST_CASE("a tree built after the writes matches one kept by them, and forgotten trees are rebuilt",
          "[node][replica-store]") {
  std::vector<Change> changes;
  ReplicaStore<MemoryStorage, RecordingObserver> store(MemoryStorage{}, params, depth,
                                                       RecordingObserver{&changes});
  for (int i = 0; i < 40; ++i) {
    const Key key = "key" + std::to_string(i);
    store.merge(pos_of(key), key, version(1, static_cast<std::uint64_t>(i + 1), {}, "v"));
  }
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    CHECK(store.tree(p).root() == fresh_root(store.storage(), p));
  }
  store.keep_trees_if([](std::uint32_t p) { return p == 0; });
  const Key late = "late";
  store.merge(pos_of(late), late, version(2, 1, {}, "x"));
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    CHECK(store.tree(p).root() == fresh_root(store.storage(), p));
  }
}

TEST_CASE("hints are merged beside the keys, without the trees or the observer",
          "[node][replica-store]") {
  std::vector<Change> changes;
  ReplicaStore<MemoryStorage, RecordingObserver> store(MemoryStorage{}, params, depth,
                                                       RecordingObserver{&changes});
  const Siblings v1 = version(1, 1, {}, "v1");
  const Siblings w = version(2, 1, {}, "w");
  store.merge_hint("b", "k", v1);
  store.merge_hint("b", "k", w);
  Siblings both = v1;
  both.merge(w);
  CHECK(store.get_hint("b", "k") == both);
  CHECK(changes.empty());
  CHECK_FALSE(store.get(pos_of("k"), "k"));
  CHECK(store.erase_hint("b", "k"));
  CHECK_FALSE(store.get_hint("b", "k"));
}

namespace {

// A MemoryStorage whose writes become durable only when the test says so, as a group-committing
// storage's do after its flusher's next fdatasync.
struct GroupCommitStorage : MemoryStorage {
  std::uint64_t written = 0;
  std::uint64_t synced = 0;
  std::function<void()> wake;
  void put(ring::Position pos, std::string_view key, const Siblings& s) {
    MemoryStorage::put(pos, key, s);
    ++written;
  }
  std::uint64_t write_seq() const { return written; }
  std::uint64_t durable_seq() const { return synced; }
  void on_durable(std::function<void()> w) { wake = std::move(w); }
};
static_assert(dynamo::DeferredDurability<GroupCommitStorage>);

}  // namespace

TEST_CASE("an action waits until every write before it is durable, and runs in order",
          "[replica_store]") {
  std::vector<Change> changes;
  ReplicaStore<GroupCommitStorage, RecordingObserver> store(GroupCommitStorage{}, params, depth,
                                                            RecordingObserver{&changes});
  std::vector<int> ran;
  store.when_durable([&] { ran.push_back(0); });  // nothing written yet: at once
  CHECK(ran == std::vector<int>{0});
  store.merge(pos_of("a"), "a", version(1, 1, {}, "x"));
  store.when_durable([&] { ran.push_back(1); });
  store.merge(pos_of("b"), "b", version(1, 2, {}, "y"));
  store.when_durable([&] { ran.push_back(2); });
  CHECK(store.awaiting_durable() == 2);
  store.release_durable();  // nothing synced: nothing runs
  CHECK(ran.size() == 1);
  const_cast<GroupCommitStorage&>(store.storage()).synced = 1;
  store.release_durable();
  CHECK(ran == std::vector<int>{0, 1});
  const_cast<GroupCommitStorage&>(store.storage()).synced = 2;
  store.release_durable();
  CHECK(ran == std::vector<int>{0, 1, 2});
  store.merge(pos_of("c"), "c", version(1, 3, {}, "z"));
  store.when_durable([&] { ran.push_back(3); });
  store.forget_awaiting_durable();  // the node stopped
  CHECK(store.awaiting_durable() == 0);
  const_cast<GroupCommitStorage&>(store.storage()).synced = 3;
  store.release_durable();
  CHECK(ran.size() == 3);
}
