// RangeTransfer driven by hand through a fake context (no simulator): fetches of the partitions a
// join adds, the source's ledger of what it served, and the handoff of misplaced keys.

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dynamo/membership/ring_view.hpp"
#include "dynamo/node/range_transfer.hpp"
#include "dynamo/node/replica_store.hpp"
#include "dynamo/ring/partition_planner.hpp"
#include "dynamo/storage/memory_storage.hpp"
#include "support/manual_timers.hpp"

using namespace std::chrono_literals;
using namespace dynamo;
using membership::RingView;
using test::ManualTimers;

namespace {

const ring::RingParams params{ring::HashKind::xxh3_128, 16};

RingView founded(std::vector<std::string> names) {
  std::vector<ring::Member> members;
  for (auto& name : names) members.push_back({std::move(name), {}, 1, {}});
  std::string why;
  auto view = RingView::build(params, 3,
                              membership::RingState{1, ring::assign_initial(params, members), {}, {}},
                              why);
  REQUIRE(view);
  return *view;
}

RingView joined(const RingView& view, std::string name) {
  const auto plan =
      membership::plan_change(params, view, {wire::ChangeKind::join, std::move(name), {}, {}, 1});
  REQUIRE(plan.state);
  std::string why;
  auto next = RingView::build(params, 3, *plan.state, why);
  REQUIRE(next);
  return *next;
}

RingView completion_of(const RingView& view) {
  std::string why;
  auto done = RingView::build(params, 3, membership::completed(view), why);
  REQUIRE(done);
  return *done;
}

ring::Position pos_of(std::string_view key) { return ring::hash_key(params.hash, key); }

// The n-th key (in the order tried) whose hash falls in `partition`.
Key key_in(std::uint32_t partition, int n = 0) {
  for (int i = 0;; ++i) {
    Key key = "key" + std::to_string(i);
    if (ring::partition_of(params, pos_of(key)) == partition && n-- == 0) return key;
  }
}

Siblings version(std::uint64_t actor, std::uint64_t counter, const Siblings& over, const char* v) {
  Siblings s = over;
  s.add(s.successor(ActorId{actor}, counter, over.clock(), v, false));
  return s;
}

struct World;

struct Observer {
  World* world;
  void changed(ring::Position pos, std::string_view key, const Siblings& after);
};
using Store = ReplicaStore<MemoryStorage, Observer>;

// Everything the component does to the world, recorded; what it asks, answered from the World.
struct FakeContext {
  using Timers = ManualTimers;
  World& world;
  const RingView& view() const;
  std::chrono::milliseconds now() const;
  void send(const std::string& to, const wire::Message& message);
  bool usable(const std::string& peer) const;
  void suspect(const std::string& peer, std::chrono::milliseconds waited);
  bool ring_is_newest() const { return true; }
  bool ring_seen_by_all(std::uint64_t) const { return true; }
  bool replicates(std::uint32_t partition) const;
  bool misplaced(std::uint32_t partition) const;
  Store& store();
  const Store& store() const;
  void when_durable(std::function<void()> action);
  bool durability_pending() const;
  void fetches_complete();
  void log(LogLevel, std::string_view event, std::string, std::vector<LogField>) const;
  metrics::NodeMetricsRecorder& metrics();
};

struct World {
  World(std::string self, RingView ring) : view(std::move(ring)) {
    config.name = std::move(self);
    config.ring = params;
    config.request_timeout = 100ms;
    config.transfer_interval = 10ms;
    config.transfer_concurrency = 1;
  }

  Config config;
  RingView view;
  ManualTimers timers;
  RequestIds ids{1000};
  metrics::NodeMetricsRecorder metrics;
  Store store{MemoryStorage{}, params, 1, Observer{this}};
  std::vector<std::pair<std::string, wire::Message>> sent;
  std::set<std::string> unusable;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> suspected;
  std::vector<std::function<void()>> awaiting_durable;
  int completions = 0;
  mutable std::vector<std::string> events;
  FakeContext context{*this};
  RangeTransfer<FakeContext> transfer{context, config, timers, ids};

  // The messages of type M sent so far, with their destinations.
  template <class M>
  std::vector<std::pair<std::string, M>> sent_of() const {
    std::vector<std::pair<std::string, M>> out;
    for (const auto& entry : sent) {
      if (const M* m = std::get_if<M>(&entry.second)) out.emplace_back(entry.first, *m);
    }
    return out;
  }
  std::pair<std::string, wire::PartitionFetch> last_fetch() const {
    const auto fetches = sent_of<wire::PartitionFetch>();
    REQUIRE_FALSE(fetches.empty());
    return fetches.back();
  }
  void release_durable() {
    for (auto& action : std::exchange(awaiting_durable, {})) action();
  }
  void check() const {
    transfer.check_invariants([this](std::uint64_t id) { return timers.pending.contains(id); });
  }
  // Starts the fetches: the first call notes that every member holds the ring, the second comes
  // one request timeout later.
  void start_fetching() {
    transfer.on_ring_change();
    transfer.start_fetches();
    CHECK(sent_of<wire::PartitionFetch>().empty());
    timers.advance(config.request_timeout);
    transfer.start_fetches();
  }
  std::uint64_t unmatched() const { return metrics.unmatched_replies.value(); }
};

void Observer::changed(ring::Position pos, std::string_view key, const Siblings&) {
  world->transfer.note_dirty(pos, key);
}

const RingView& FakeContext::view() const { return world.view; }
std::chrono::milliseconds FakeContext::now() const { return world.timers.now; }
void FakeContext::send(const std::string& to, const wire::Message& message) {
  world.sent.emplace_back(to, message);
}
bool FakeContext::usable(const std::string& peer) const { return !world.unusable.contains(peer); }
void FakeContext::suspect(const std::string& peer, std::chrono::milliseconds waited) {
  world.suspected.emplace_back(peer, waited);
}
bool FakeContext::replicates(std::uint32_t partition) const {
  return world.view.replicates_now(world.config.name, partition);
}
bool FakeContext::misplaced(std::uint32_t partition) const {
  return world.view.known() && !world.view.replicates_now(world.config.name, partition) &&
         !world.view.replicates_next(world.config.name, partition);
}
Store& FakeContext::store() { return world.store; }
const Store& FakeContext::store() const { return world.store; }
void FakeContext::when_durable(std::function<void()> action) {
  world.awaiting_durable.push_back(std::move(action));
}
bool FakeContext::durability_pending() const { return !world.awaiting_durable.empty(); }
void FakeContext::fetches_complete() { ++world.completions; }
void FakeContext::log(LogLevel, std::string_view event, std::string, std::vector<LogField>) const {
  world.events.emplace_back(event);
}
metrics::NodeMetricsRecorder& FakeContext::metrics() { return world.metrics; }

std::vector<membership::Transfer> transfers_to(const RingView& view, const std::string& node) {
  std::vector<membership::Transfer> out;
  for (const auto& t : view.transfers()) {
    if (t.destination == node) out.push_back(t);
  }
  return out;
}

// A partition the join of d moves from a (its replica there) to d.
membership::Transfer moved_from_a(const RingView& joining) {
  for (const auto& t : transfers_to(joining, "d")) {
    if (!t.sources.empty() && t.sources[0] == "a") return t;
  }
  FAIL("the join of d takes no partition replica from a");
  return {};
}

// Answers a fetch in full: every slice in one chunk, then the confirmation.
void answer_in_full(World& w) {
  const auto [source, ask] = w.last_fetch();
  w.transfer.on_partition_chunk(
      source, wire::PartitionChunk{ask.request_id, ask.partition, wire::transfer_slices, {}});
  w.release_durable();
  w.timers.advance(w.config.transfer_interval);
  const auto [again, confirm] = w.last_fetch();
  REQUIRE(confirm.slice == wire::transfer_slices);
  w.transfer.on_partition_chunk(
      again, wire::PartitionChunk{confirm.request_id, confirm.partition, wire::transfer_slices, {}});
}

}  // namespace

TEST_CASE("a fetch asks its first usable source slice by slice and counts the partition once "
          "the source confirms the last",
          "[node][range-transfer]") {
  World w("d", joined(founded({"a", "b", "c"}), "d"));
  const auto mine = transfers_to(w.view, "d");
  REQUIRE(mine.size() >= 2);
  const membership::Transfer first = mine[0];
  REQUIRE(first.sources.size() >= 2);
  w.unusable.insert(first.sources[0]);
  w.start_fetching();
  CHECK(w.transfer.fetches_left() == mine.size());

  auto [source, ask] = w.last_fetch();
  CHECK(w.sent.size() == 1);  // transfer_concurrency 1
  CHECK(source == first.sources[1]);
  CHECK(ask.partition == first.partition);
  CHECK(ask.slice == 0);
  const Key key = key_in(first.partition);
  const Siblings v1 = version(1, 1, {}, "v1");
  std::set<std::uint64_t> asked{ask.request_id};
  for (std::uint32_t step = 1; step <= 4; ++step) {
    std::vector<wire::KeyVersions> entries;
    if (step == 1) entries.push_back({key, v1});
    w.transfer.on_partition_chunk(
        source, wire::PartitionChunk{ask.request_id, ask.partition, step * 64, entries});
    // The next slice is asked only once the chunk is durable and transfer_interval has passed.
    w.check();
    w.timers.advance(10 * w.config.request_timeout);
    CHECK(w.sent_of<wire::PartitionFetch>().size() == step);
    w.release_durable();
    w.timers.advance(w.config.transfer_interval - 1ms);
    CHECK(w.sent_of<wire::PartitionFetch>().size() == step);
    w.timers.advance(1ms);
    std::tie(source, ask) = w.last_fetch();
    CHECK(source == first.sources[1]);
    CHECK(ask.slice == step * 64);
    CHECK(asked.insert(ask.request_id).second);  // each slice under a new id
    CHECK(w.transfer.fetches_left() == mine.size());
    w.check();
  }
  CHECK(ask.slice == wire::transfer_slices);  // the confirmation
  CHECK(w.store.get(pos_of(key), key) == v1);
  CHECK(w.metrics.transfer_keys_fetched.value() == 1);

  w.transfer.on_partition_chunk(
      source, wire::PartitionChunk{ask.request_id, ask.partition, wire::transfer_slices, {}});
  CHECK(w.transfer.fetches_left() == mine.size() - 1);
  CHECK(w.completions == 0);
  CHECK(w.transfer.fetched_epoch() < w.view.epoch());
  // The next partition is asked for at once.
  CHECK(w.last_fetch().second.partition == mine[1].partition);
  CHECK(w.transfer.fetches_in_flight() == 1);

  for (std::size_t left = mine.size() - 1; left > 0; --left) answer_in_full(w);
  CHECK(w.transfer.fetches_left() == 0);
  CHECK(w.transfer.fetches_in_flight() == 0);
  CHECK(w.completions == 1);
  CHECK(w.transfer.fetched_epoch() == w.view.epoch());
  CHECK(std::ranges::count(w.events, std::string("fetches_complete")) == 1);
  CHECK(w.suspected.empty());
  CHECK(w.timers.pending.empty());
}

TEST_CASE("a silent source is suspected at the deadline and the next source asked from slice 0",
          "[node][range-transfer]") {
  World w("d", joined(founded({"a", "b", "c"}), "d"));
  const membership::Transfer first = transfers_to(w.view, "d").at(0);
  REQUIRE(first.sources.size() >= 2);
  w.start_fetching();
  auto [source, ask] = w.last_fetch();
  REQUIRE(source == first.sources[0]);
  w.transfer.on_partition_chunk(source, wire::PartitionChunk{ask.request_id, ask.partition, 64, {}});
  w.release_durable();
  w.timers.advance(w.config.transfer_interval);
  std::tie(source, ask) = w.last_fetch();
  REQUIRE(ask.slice == 64);

  // The source stays silent: nothing happens until twice request_timeout has passed.
  w.timers.advance(2 * w.config.request_timeout - 1ms);
  CHECK(w.suspected.empty());
  CHECK(w.sent_of<wire::PartitionFetch>().size() == 2);
  w.timers.advance(1ms);
  REQUIRE(w.suspected.size() == 1);
  CHECK(w.suspected[0] == std::pair{first.sources[0], 2 * w.config.request_timeout});
  const auto [next, restart] = w.last_fetch();
  CHECK(w.sent_of<wire::PartitionFetch>().size() == 3);
  CHECK(next == first.sources[1]);
  CHECK(restart.partition == first.partition);
  CHECK(restart.slice == 0);
  CHECK(restart.request_id != ask.request_id);
  w.check();
}

TEST_CASE("a late chunk answering an earlier request is no answer", "[node][range-transfer]") {
  World w("d", joined(founded({"a", "b", "c"}), "d"));
  const membership::Transfer first = transfers_to(w.view, "d").at(0);
  w.start_fetching();
  const auto [old_source, old_ask] = w.last_fetch();
  w.timers.advance(2 * w.config.request_timeout);  // silent: the fetch restarts elsewhere
  const auto [source, ask] = w.last_fetch();
  REQUIRE(source == first.sources[1]);

  // The first source answers the earlier request after all, from it and from the new source.
  w.transfer.on_partition_chunk(old_source,
                                wire::PartitionChunk{old_ask.request_id, ask.partition, 128, {}});
  w.transfer.on_partition_chunk(source,
                                wire::PartitionChunk{old_ask.request_id, ask.partition, 128, {}});
  CHECK(w.unmatched() == 2);
  // The current request answered by someone else, or for another partition, is no answer either.
  w.transfer.on_partition_chunk(old_source,
                                wire::PartitionChunk{ask.request_id, ask.partition, 128, {}});
  w.transfer.on_partition_chunk(source,
                                wire::PartitionChunk{ask.request_id, ask.partition + 1, 128, {}});
  CHECK(w.unmatched() == 4);
  CHECK(w.awaiting_durable.empty());

  // The real answer still counts, and the fetch goes on from where it says.
  w.transfer.on_partition_chunk(source, wire::PartitionChunk{ask.request_id, ask.partition, 64, {}});
  CHECK(w.unmatched() == 4);
  // ... once: a duplicate of it is no answer.
  w.transfer.on_partition_chunk(source, wire::PartitionChunk{ask.request_id, ask.partition, 64, {}});
  CHECK(w.unmatched() == 5);
  w.release_durable();
  w.timers.advance(w.config.transfer_interval);
  CHECK(w.last_fetch().second.slice == 64);
  w.check();
}

TEST_CASE("a fetch parked for durability with no durability news coming breaks the invariants",
          "[node][range-transfer]") {
  World w("d", joined(founded({"a", "b", "c"}), "d"));
  w.start_fetching();
  const auto [source, ask] = w.last_fetch();
  w.transfer.on_partition_chunk(source, wire::PartitionChunk{ask.request_id, ask.partition, 64, {}});
  CHECK_NOTHROW(w.check());
  w.awaiting_durable.clear();  // the news is lost
  CHECK_THROWS_AS(w.check(), std::logic_error);
}

TEST_CASE("a key changed after its slice was served lands in the dirty ledger and is sent again",
          "[node][range-transfer]") {
  const RingView joining = joined(founded({"a", "b", "c"}), "d");
  const RingView done = completion_of(joining);
  const std::uint32_t p = moved_from_a(joining).partition;
  REQUIRE_FALSE(done.replicates_now("a", p));
  World w("a", joining);
  w.transfer.on_ring_change();
  const Key clean = key_in(p, 0);
  const Key dirty = key_in(p, 1);
  const Siblings v1 = version(1, 1, {}, "v1");
  w.store.merge(pos_of(clean), clean, v1);
  w.store.merge(pos_of(dirty), dirty, v1);

  // d fetches the whole partition from a, then confirms it holds all of it.
  w.transfer.on_partition_fetch("d", wire::PartitionFetch{7, p, 0, 512, 1u << 20});
  const auto chunks = w.sent_of<wire::PartitionChunk>();
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].first == "d");
  CHECK(chunks[0].second.next_slice == wire::transfer_slices);
  CHECK(chunks[0].second.entries.size() == 2);
  w.transfer.on_partition_fetch("d", wire::PartitionFetch{8, p, wire::transfer_slices, 512, 1u << 20});
  REQUIRE(w.sent_of<wire::PartitionChunk>().size() == 2);

  // A write reaches a after its slice went to d.
  const Siblings v2 = version(2, 1, v1, "v2");
  w.store.merge(pos_of(dirty), dirty, v2);

  // The change completes: a no longer replicates p.
  w.view = done;
  w.transfer.on_ring_change();
  w.sent.clear();
  w.transfer.relocate_misplaced();
  CHECK_FALSE(w.store.get(pos_of(clean), clean));  // d fetched it: dropped at once
  CHECK(w.metrics.transfer_keys_dropped.value() == 1);
  CHECK(w.store.get(pos_of(dirty), dirty) == v2);  // kept until its replicas acknowledge
  std::set<std::string> replicas;
  for (const ring::NodeIndex i : done.current().primaries(p)) {
    replicas.insert(done.current().member(i).name);
  }
  std::set<std::string> written;
  for (const auto& [to, write] : w.sent_of<wire::ReplicaWrite>()) {
    CHECK(write.key == dirty);
    CHECK(write.siblings == v2);
    written.insert(to);
  }
  CHECK(written == replicas);
  CHECK(w.transfer.relocating("", dirty));
  w.check();
}

// Node a once d joined and the change completed, holding one key of a partition it no longer
// replicates, and a first sweep for misplaced keys made: the key went to its three rightful
// replicas under one relocation id.
struct MisplacedKey {
  RingView joining = joined(founded({"a", "b", "c"}), "d");
  World w{"a", completion_of(joining)};
  Key key = key_in(moved_from_a(joining).partition);
  Siblings v1 = version(1, 1, {}, "v1");
  std::vector<std::pair<std::string, wire::ReplicaWrite>> writes;
  std::uint64_t id = 0;
  MisplacedKey() {
    w.transfer.on_ring_change();
    w.store.merge(pos_of(key), key, v1);
    w.transfer.relocate_misplaced();
    writes = w.sent_of<wire::ReplicaWrite>();
    REQUIRE(writes.size() == 3);
    id = writes[0].second.request_id;
  }
};

TEST_CASE("a misplaced key is handed off to its rightful replicas and dropped only after all "
          "acknowledged",
          "[node][range-transfer]") {
  MisplacedKey m;
  World& w = m.w;
  const Key& key = m.key;
  const Siblings& v1 = m.v1;
  const auto& writes = m.writes;
  const std::uint64_t id = m.id;
  std::set<std::string> targets;
  for (const auto& [to, write] : writes) {
    CHECK(write.request_id == id);
    CHECK(write.siblings == v1);
    targets.insert(to);
  }
  CHECK_FALSE(targets.contains("a"));
  CHECK(targets.size() == 3);
  CHECK(w.transfer.relocations_in_flight() == 1);
  // A second sweep does not offer the key again while it is in flight.
  w.transfer.relocate_misplaced();
  CHECK(w.sent_of<wire::ReplicaWrite>().size() == 3);

  const std::vector<std::string> replicas(targets.begin(), targets.end());
  w.transfer.on_relocation_ack(id, replicas[0], {});
  w.transfer.on_relocation_ack(id, replicas[1], {});
  w.transfer.on_relocation_ack(id, "a", {});  // not asked
  CHECK(w.unmatched() == 1);
  w.transfer.on_relocation_ack(id, replicas[2], wire::Status{1, 0, 0});  // a failure
  CHECK(w.store.get(pos_of(key), key) == v1);
  CHECK(w.transfer.relocations_in_flight() == 1);
  CHECK(w.metrics.transfer_keys_handed_off.value() == 0);
  w.check();

  w.transfer.on_relocation_ack(id, replicas[2], {});
  CHECK_FALSE(w.store.get(pos_of(key), key));
  CHECK(w.metrics.transfer_keys_handed_off.value() == 1);
  CHECK(w.transfer.relocations_in_flight() == 0);
  CHECK_FALSE(w.transfer.relocating("", key));
  CHECK(w.timers.pending.empty());
  w.transfer.on_relocation_ack(id, replicas[2], {});  // a duplicate
  CHECK(w.unmatched() == 2);
}

TEST_CASE("a relocation a replica leaves unanswered suspects it and keeps the key for the next "
          "sweep",
          "[node][range-transfer]") {
  MisplacedKey m;
  World& w = m.w;
  const Key& key = m.key;
  const Siblings& v1 = m.v1;
  const auto& writes = m.writes;
  const std::uint64_t id = m.id;
  w.transfer.on_relocation_ack(id, writes[0].first, {});
  w.transfer.on_relocation_ack(id, writes[1].first, {});

  w.timers.advance(2 * w.config.request_timeout);
  CHECK(w.suspected == std::vector{std::pair{writes[2].first, 2 * w.config.request_timeout}});
  CHECK(w.store.get(pos_of(key), key) == v1);
  CHECK(w.transfer.relocations_in_flight() == 0);
  CHECK_FALSE(w.transfer.relocating("", key));

  w.transfer.relocate_misplaced();
  CHECK(w.sent_of<wire::ReplicaWrite>().size() == 6);
  CHECK(w.sent_of<wire::ReplicaWrite>().back().second.request_id != id);
  w.check();
}

TEST_CASE("halting drops every request in flight and cancels its deadline", "[node][range-transfer]") {
  const RingView joining = joined(founded({"a", "b", "c"}), "d");
  World w("d", joining);
  w.start_fetching();
  REQUIRE(w.transfer.fetches_in_flight() == 1);
  REQUIRE_FALSE(w.timers.pending.empty());
  w.transfer.halt();
  CHECK(w.transfer.idle());
  CHECK(w.transfer.size() == 0);
  CHECK(w.timers.pending.empty());
  w.check();
}
