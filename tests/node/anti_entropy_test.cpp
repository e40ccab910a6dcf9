// AntiEntropy driven by hand: two replicas, each with its own store and component, joined by a
// message queue the test delivers from; timers advanced by hand. No simulator.

#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dynamo/node/anti_entropy.hpp"
#include "dynamo/node/replica_store.hpp"
#include "dynamo/storage/memory_storage.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using dynamo::ActorId;
using dynamo::AntiEntropy;
using dynamo::Key;
using dynamo::LogField;
using dynamo::LogLevel;
using dynamo::MemoryStorage;
using dynamo::RangeVisitor;
using dynamo::ReplicaStore;
using dynamo::RequestIds;
using dynamo::Siblings;
using dynamo::test::ManualTimers;
namespace antientropy = dynamo::antientropy;
namespace ring = dynamo::ring;
namespace wire = dynamo::wire;

namespace {

const ring::RingParams params{ring::HashKind::xxh3_128, 4};
constexpr unsigned depth = 1;
constexpr auto deadline = 2000ms;

ring::Position pos_of(std::string_view key) { return ring::hash_key(params.hash, key); }
std::uint32_t partition_of(std::string_view key) { return ring::partition_of(params, pos_of(key)); }

// A key of the given partition, the first of "<prefix>0", "<prefix>1", ... that falls in it.
Key key_in(std::uint32_t partition, const std::string& prefix) {
  for (int i = 0;; ++i) {
    Key key = prefix + std::to_string(i);
    if (partition_of(key) == partition) return key;
  }
}

Siblings version(std::uint64_t actor, const char* value) {
  Siblings s;
  s.add(s.successor(ActorId{actor}, 1, {}, value, false));
  return s;
}

struct Sent {
  std::string from;
  std::string to;
  wire::Message message;
};

// Every key whose stored state changed, in order.
struct ChangeLog {
  std::vector<std::string>* keys;
  void changed(ring::Position, std::string_view key, const Siblings&) {
    keys->push_back(std::string(key));
  }
};

// One replica's world as its AntiEntropy sees it: every partition is replicated here and by
// `peers`; messages go to the shared queue.
struct Replica {
  Replica(std::string name_, ManualTimers& timers_, std::deque<Sent>& queue_, std::string peer)
      : name(std::move(name_)), timers(timers_), queue(queue_), peers{std::move(peer)} {}

  std::string name;
  ManualTimers& timers;
  std::deque<Sent>& queue;
  std::vector<std::string> changed;
  ReplicaStore<MemoryStorage, ChangeLog> store{MemoryStorage{}, params, depth, ChangeLog{&changed}};
  std::vector<std::string> peers;
  std::set<std::string> unusable;
  std::set<std::uint32_t> not_replicated;
  std::uint64_t unmatched_count = 0;
  std::uint64_t completed = 0;
  std::uint64_t sent_keys = 0;
  std::uint64_t repaired_keys = 0;
  std::vector<std::string> events;

  std::uint64_t schedule(std::chrono::milliseconds delay, std::function<void()> f) {
    return timers.schedule(delay, std::move(f));
  }
  void cancel(std::uint64_t id) { timers.cancel(id); }
  void send(const std::string& peer, const wire::Message& m) { queue.push_back({name, peer, m}); }
  std::uint32_t partitions() const { return params.partitions; }
  bool replicates(std::uint32_t p) const { return !not_replicated.contains(p); }
  std::vector<std::string> other_replicas(std::uint32_t) const { return peers; }
  bool usable(const std::string& peer) const { return !unusable.contains(peer); }
  const antientropy::MerkleTree& tree(std::uint32_t p) { return store.tree(p); }
  void for_each_in_range(ring::PositionRange range, const RangeVisitor& visit) const {
    store.storage().for_each_in_range(range, visit);
  }
  std::uint32_t partition_of(std::string_view key) const { return ::partition_of(key); }
  bool merge(std::string_view key, const Siblings& s) { return store.merge(pos_of(key), key, s); }
  void unmatched() { ++unmatched_count; }
  void exchange_completed() { ++completed; }
  void keys_sent(std::uint64_t n) { sent_keys += n; }
  void keys_repaired(std::uint64_t n) { repaired_keys += n; }
  void log(LogLevel, std::string_view event, std::string, std::vector<LogField>) {
    events.emplace_back(event);
  }
  void put(const Key& key, const Siblings& s) {
    store.merge(pos_of(key), key, s);
    changed.clear();
  }
  std::optional<Siblings> get(const Key& key) const { return store.get(pos_of(key), key); }
};

static_assert(dynamo::AntiEntropyContext<Replica>);
using Exchange = AntiEntropy<Replica>;

Exchange::Options options(std::uint32_t exchanges = 1) {
  return {exchanges, 1024, depth, deadline};
}

auto live_in(const ManualTimers& timers) {
  return [&timers](std::uint64_t id) { return timers.pending.contains(id); };
}

// Two replicas "a" and "b" of every partition.
struct Pair {
  ManualTimers timers;
  std::deque<Sent> queue;
  RequestIds ids_a{100};
  RequestIds ids_b{900};
  Replica a{"a", timers, queue, "b"};
  Replica b{"b", timers, queue, "a"};
  Exchange ae_a;
  Exchange ae_b;

  explicit Pair(std::uint32_t exchanges = 1)
      : ae_a(a, ids_a, options(exchanges)), ae_b(b, ids_b, options(exchanges)) {}

  Exchange& component(const std::string& name) { return name == "a" ? ae_a : ae_b; }

  // Hands one message to its addressee's component.
  void deliver(const Sent& s) {
    Exchange& to = component(s.to);
    std::visit(
        [&](const auto& m) {
          using M = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<M, wire::TreeCompare>) {
            to.on_tree_compare(s.from, m);
          } else if constexpr (std::is_same_v<M, wire::TreeCompareReply>) {
            to.on_tree_compare_reply(s.from, m);
          } else if constexpr (std::is_same_v<M, wire::LeafSync>) {
            to.on_leaf_sync(s.from, m);
          } else if constexpr (std::is_same_v<M, wire::LeafSyncReply>) {
            to.on_leaf_sync_reply(s.from, m);
          } else {
            FAIL("an unexpected message");
          }
        },
        s.message);
  }
  // Delivers until no message is left; returns how many were delivered.
  std::size_t pump() {
    std::size_t n = 0;
    while (!queue.empty()) {
      const Sent s = std::move(queue.front());
      queue.pop_front();
      deliver(s);
      ++n;
    }
    return n;
  }
  Sent pop() {
    REQUIRE_FALSE(queue.empty());
    Sent s = std::move(queue.front());
    queue.pop_front();
    return s;
  }
};

template <class M>
const M& as(const Sent& s) {
  REQUIRE(std::holds_alternative<M>(s.message));
  return std::get<M>(s.message);
}

}  // namespace

TEST_CASE("an exchange between replicas whose stores differ repairs exactly the differing keys",
          "[node][anti-entropy]") {
  Pair pair;
  // Shared keys in every partition, and in each partition: one key only a holds, one only b
  // holds, and one both hold in concurrent versions.
  std::set<std::string> only_a, only_b, conflicting;
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    for (int i = 0; i < 3; ++i) {
      const Key shared = key_in(p, "shared" + std::to_string(i) + "-");
      pair.a.put(shared, version(1, "s"));
      pair.b.put(shared, version(1, "s"));
    }
    only_a.insert(key_in(p, "a-"));
    pair.a.put(key_in(p, "a-"), version(1, "from a"));
    only_b.insert(key_in(p, "b-"));
    pair.b.put(key_in(p, "b-"), version(2, "from b"));
    conflicting.insert(key_in(p, "both-"));
    pair.a.put(key_in(p, "both-"), version(1, "a's"));
    pair.b.put(key_in(p, "both-"), version(2, "b's"));
  }

  // One exchange per round (the bound): a round per partition compares them all.
  for (std::uint32_t round = 0; round < params.partitions; ++round) {
    pair.ae_a.start_round();
    CHECK(pair.ae_a.size() == 1);
    pair.ae_a.check_invariants(live_in(pair.timers));
    CHECK(pair.pump() > 0);
    CHECK(pair.ae_a.size() == 0);
  }

  CHECK(pair.a.completed == params.partitions);
  CHECK(pair.a.unmatched_count == 0);
  CHECK(pair.b.unmatched_count == 0);
  // a changed exactly the keys b held and a did not, and the conflicting ones; b likewise.
  std::set<std::string> expected_a = only_b, expected_b = only_a;
  expected_a.insert(conflicting.begin(), conflicting.end());
  expected_b.insert(conflicting.begin(), conflicting.end());
  CHECK(std::set<std::string>(pair.a.changed.begin(), pair.a.changed.end()) == expected_a);
  CHECK(pair.a.changed.size() == expected_a.size());
  CHECK(std::set<std::string>(pair.b.changed.begin(), pair.b.changed.end()) == expected_b);
  CHECK(pair.b.changed.size() == expected_b.size());
  CHECK(pair.a.repaired_keys == expected_a.size());
  CHECK(pair.b.repaired_keys == expected_b.size());
  // The initiator logs each exchange that repaired something here: one per partition.
  CHECK(pair.a.events == std::vector<std::string>(params.partitions, "anti_entropy_repaired"));
  // Afterwards both hold the same state, and the trees agree.
  for (const auto& key : expected_a) {
    CHECK(pair.a.get(key) == pair.b.get(key));
  }
  for (std::uint32_t p = 0; p < params.partitions; ++p) {
    CHECK(pair.a.store.tree(p).root() == pair.b.store.tree(p).root());
  }

  // A second pass finds nothing to send: every exchange ends at the root.
  pair.a.changed.clear();
  const std::uint64_t sent_before = pair.a.sent_keys + pair.b.sent_keys;
  for (std::uint32_t round = 0; round < params.partitions; ++round) {
    pair.ae_a.start_round();
    CHECK(pair.pump() == 2);  // TreeCompare, and its reply with no differing node
  }
  CHECK(pair.a.completed == 2 * params.partitions);
  CHECK(pair.a.changed.empty());
  CHECK(pair.a.sent_keys + pair.b.sent_keys == sent_before);
}

TEST_CASE("an exchange whose peer stays silent is dropped at its deadline, within the bound",
          "[node][anti-entropy]") {
  Pair pair(2);
  pair.a.put(key_in(0, "k"), version(1, "v"));

  pair.ae_a.start_round();
  CHECK(pair.ae_a.size() == 2);  // the bound, though all four partitions could be compared
  CHECK(pair.queue.size() == 2);
  pair.ae_a.check_invariants(live_in(pair.timers));
  pair.ae_a.start_round();
  CHECK(pair.ae_a.size() == 2);
  CHECK(pair.queue.size() == 2);
  pair.queue.clear();  // b never hears of them

  pair.timers.advance(deadline - 1ms);
  CHECK(pair.ae_a.size() == 2);
  pair.ae_a.check_invariants(live_in(pair.timers));
  pair.timers.advance(1ms);
  CHECK(pair.ae_a.size() == 0);
  CHECK(pair.timers.pending.empty());
  CHECK(pair.a.completed == 0);
  CHECK(pair.a.unmatched_count == 0);

  // The next round goes on with the partitions not compared yet.
  pair.ae_a.start_round();
  CHECK(pair.ae_a.size() == 2);
  std::set<std::uint32_t> asked;
  for (const Sent& s : pair.queue) asked.insert(as<wire::TreeCompare>(s).partition);
  CHECK(asked == std::set<std::uint32_t>{2, 3});
}

TEST_CASE("late, duplicated and misdirected answers count as unmatched and change nothing",
          "[node][anti-entropy]") {
  Pair pair;
  const Key key = key_in(0, "k");  // partition 0: the first compared
  pair.b.put(key, version(2, "only b"));

  pair.ae_a.start_round();
  pair.deliver(pair.pop());                        // b answers the root's compare
  const Sent reply = pair.pop();
  CHECK(as<wire::TreeCompareReply>(reply).level == 1);

  Sent from_c = reply;
  from_c.from = "c";
  pair.deliver(from_c);  // the right id from a node not asked
  CHECK(pair.a.unmatched_count == 1);
  CHECK(pair.ae_a.size() == 1);

  pair.deliver(reply);  // the answer: a sends its keys of the differing leaf
  CHECK(pair.a.unmatched_count == 1);
  const Sent sync = pair.pop();
  CHECK(as<wire::LeafSync>(sync).entries.empty());
  pair.deliver(reply);  // duplicated: the exchange waits for a LeafSyncReply now
  CHECK(pair.a.unmatched_count == 2);
  CHECK(pair.ae_a.size() == 1);

  pair.deliver(sync);  // b answers with its key, but too late
  const Sent sync_reply = pair.pop();
  CHECK(as<wire::LeafSyncReply>(sync_reply).entries.size() == 1);
  pair.timers.advance(deadline);
  CHECK(pair.ae_a.size() == 0);
  pair.deliver(sync_reply);
  CHECK(pair.a.unmatched_count == 3);
  CHECK_FALSE(pair.a.get(key).has_value());
  CHECK(pair.a.completed == 0);
  CHECK(pair.a.repaired_keys == 0);
}

TEST_CASE("a replica answers no compare for a partition it does not replicate",
          "[node][anti-entropy]") {
  Pair pair;
  pair.b.not_replicated = {0};
  pair.a.put(key_in(0, "k"), version(1, "v"));
  pair.ae_a.start_round();
  pair.deliver(pair.pop());
  CHECK(pair.queue.empty());
  // Nor does a start one for it, nor with an unusable peer.
  pair.timers.advance(deadline);
  pair.a.not_replicated = {1};
  pair.a.unusable = {"b"};
  pair.ae_a.start_round();
  CHECK(pair.ae_a.size() == 0);
  pair.a.unusable.clear();
  pair.ae_a.start_round();
  REQUIRE(pair.queue.size() == 1);
  CHECK(as<wire::TreeCompare>(pair.queue.front()).partition == 2);
}
