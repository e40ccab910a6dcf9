// LogStorage: what survives reopening, recovery from torn and damaged files, locking, compaction,
// group commit, and a model test against MemoryStorage.

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "dynamo/storage/log_storage.hpp"
#include "dynamo/storage/memory_storage.hpp"
#include "support/temp_dir.hpp"

using dynamo::LogStorage;
using dynamo::LogStorageOptions;
using dynamo::MemoryStorage;
using dynamo::Siblings;
using dynamo::SyncPolicy;
using dynamo::ring::Position;
using dynamo::test::TempDir;

namespace {

Siblings one_version(const std::string& value, std::uint64_t counter = 1) {
  Siblings s;
  s.add(s.successor(dynamo::ActorId{1}, counter, {}, value, false));
  return s;
}

std::string value_of(const std::optional<Siblings>& s) {
  return s ? s->versions()[0].value : std::string("<none>");
}

Position pos_of(int i) { return Position{static_cast<std::uint64_t>(i) * 7919 % 1000, 0}; }

LogStorageOptions small_segments(SyncPolicy sync = SyncPolicy::none) {
  LogStorageOptions o;
  o.sync = sync;
  o.segment_bytes = 4096;
  return o;
}

std::vector<std::filesystem::path> files_ending(const std::filesystem::path& dir,
                                                const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().string().ends_with(suffix)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Everything a storage holds, in one comparable value.
struct Contents {
  std::map<std::pair<Position, std::string>, Siblings> keys;
  std::map<std::pair<std::string, std::string>, Siblings> hints;
  std::map<std::string, std::string> meta;
  bool operator==(const Contents&) const = default;
};

template <class S>
Contents contents_of(const S& s, const std::vector<std::string>& meta_names) {
  Contents c;
  s.for_each_in_range({{0, 0}, {~0ULL, ~0ULL}},
                      [&](Position p, std::string_view k, const Siblings& v) {
                        c.keys.emplace(std::pair{p, std::string(k)}, v);
                      });
  s.for_each_hint([&](std::string_view o, std::string_view k, const Siblings& v) {
    c.hints.emplace(std::pair{std::string(o), std::string(k)}, v);
  });
  for (const auto& name : meta_names) {
    if (auto v = s.get_meta(name)) c.meta.emplace(name, *v);
  }
  return c;
}

}  // namespace

TEST_CASE("log storage keeps keys, hints and metadata across reopening", "[storage][log]") {
  const auto policy = GENERATE(SyncPolicy::always, SyncPolicy::group, SyncPolicy::none);
  CAPTURE(to_string(policy));
  TempDir dir;
  LogStorageOptions options;
  options.sync = policy;
  {
    LogStorage s(dir.path(), options);
    s.put({1, 2}, "a", one_version("apple"));
    s.put({1, 3}, "b", one_version("banana"));
    s.put({1, 2}, "a", one_version("apricot", 2));
    s.put({9, 9}, "gone", one_version("x"));
    CHECK(s.erase({9, 9}, "gone"));
    CHECK_FALSE(s.erase({9, 9}, "never"));
    s.put_hint("node-b", "h", one_version("hinted"));
    s.put_hint("node-c", "h2", one_version("dropped"));
    CHECK(s.erase_hint("node-c", "h2"));
    s.put_meta("tokens", std::string("1,2,3"));
    s.put_meta("empty", std::string());
    s.put_meta("temp", std::string("t"));
    s.put_meta("temp", std::nullopt);
    CHECK(s.size() == 2);
    CHECK(s.hint_count() == 1);
    CHECK(value_of(s.get({1, 2}, "a")) == "apricot");
  }
  LogStorage s(dir.path(), options);
  CHECK(s.recovery().corrupt.empty());
  CHECK(s.recovery().torn_bytes == 0);
  CHECK(s.size() == 2);
  CHECK(value_of(s.get({1, 2}, "a")) == "apricot");
  CHECK(value_of(s.get({1, 3}, "b")) == "banana");
  CHECK_FALSE(s.get({9, 9}, "gone"));
  CHECK(value_of(s.get_hint("node-b", "h")) == "hinted");
  CHECK_FALSE(s.get_hint("node-c", "h2"));
  CHECK(s.hint_count() == 1);
  CHECK(s.get_meta("tokens") == std::optional<std::string>("1,2,3"));
  CHECK(s.get_meta("empty") == std::optional<std::string>(""));
  CHECK_FALSE(s.get_meta("temp"));
  CHECK(s.write_seq() == s.durable_seq());
}

TEST_CASE("reopening without writing leaves no empty segments behind", "[storage][log]") {
  TempDir dir;
  { LogStorage(dir.path()).put({1, 1}, "k", one_version("v")); }
  for (int i = 0; i < 5; ++i) LogStorage reopened(dir.path());
  LogStorage s(dir.path());
  CHECK(s.recovery().segments == 1);
  CHECK(value_of(s.get({1, 1}, "k")) == "v");
}

TEST_CASE("log storage lists keys of a range in ring order", "[storage][log]") {
  TempDir dir;
  LogStorage s(dir.path());
  s.put({5, 0}, "x", one_version("1"));
  s.put({2, 0}, "y", one_version("2"));
  s.put({5, 0}, "a", one_version("3"));
  s.put({9, 0}, "z", one_version("4"));
  std::vector<std::string> keys;
  s.for_each_in_range({{2, 0}, {5, ~0ULL}},
                      [&](Position, std::string_view k, const Siblings&) { keys.emplace_back(k); });
  CHECK(keys == std::vector<std::string>{"y", "a", "x"});
}

TEST_CASE("log storage rolls segments and reopens from their indexes, or by scanning without",
          "[storage][log]") {
  TempDir dir;
  {
    LogStorage s(dir.path(), small_segments());
    for (int i = 0; i < 300; ++i) s.put(pos_of(i), "k" + std::to_string(i), one_version("v" + std::to_string(i)));
    CHECK(s.stats().segments > 3);
  }
  {
    LogStorage s(dir.path(), small_segments());
    CHECK(s.recovery().indexes_used == s.recovery().segments);
    CHECK(s.recovery().segments_scanned == 0);
    CHECK(s.size() == 300);
    CHECK(value_of(s.get(pos_of(123), "k123")) == "v123");
  }
  for (const auto& idx : files_ending(dir.path(), ".idx")) std::filesystem::remove(idx);
  // A damaged index is as good as none.
  {
    LogStorage s(dir.path(), small_segments());
    CHECK(s.recovery().indexes_used == 0);
    CHECK(s.recovery().segments_scanned == s.recovery().segments);
    CHECK(s.size() == 300);
    for (int i = 0; i < 300; i += 17) {
      CHECK(value_of(s.get(pos_of(i), "k" + std::to_string(i))) == "v" + std::to_string(i));
    }
  }
  const auto idx = files_ending(dir.path(), ".idx").front();
  {
    std::fstream f(idx, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x5a');
  }
  LogStorage s(dir.path(), small_segments());
  CHECK(s.recovery().segments_scanned == 1);
  CHECK(s.size() == 300);
}

TEST_CASE("a torn tail is truncated and everything before it kept", "[storage][log]") {
  TempDir dir;
  {
    LogStorage s(dir.path());
    for (int i = 0; i < 50; ++i) s.put(pos_of(i), "k" + std::to_string(i), one_version(std::string(100, 'a')));
  }
  for (const auto& idx : files_ending(dir.path(), ".idx")) std::filesystem::remove(idx);
  const auto seg = files_ending(dir.path(), ".log").front();
  const auto full = std::filesystem::file_size(seg);
  std::filesystem::resize_file(seg, full - 40);  // the last record loses its end
  {
    LogStorage s(dir.path());
    CHECK(s.recovery().torn_bytes > 0);
    CHECK(s.recovery().corrupt.empty());
    CHECK(s.size() == 49);
    CHECK_FALSE(s.get(pos_of(49), "k49"));
    CHECK(s.get(pos_of(48), "k48"));
    s.put(pos_of(49), "k49", one_version("again"));
  }
  LogStorage s(dir.path());
  CHECK(s.recovery().torn_bytes == 0);
  CHECK(value_of(s.get(pos_of(49), "k49")) == "again");
}

TEST_CASE("a damaged record in the middle is reported with its offset and skipped",
          "[storage][log]") {
  TempDir dir;
  std::uint64_t record_size = 0;
  {
    LogStorage s(dir.path());
    s.put({1, 0}, "first", one_version(std::string(100, 'a')));
    record_size = s.stats().disk_bytes;
    s.put({2, 0}, "second", one_version(std::string(100, 'b')));
    s.put({3, 0}, "third", one_version(std::string(100, 'c')));
    s.put({1, 0}, "first", one_version(std::string(100, 'd'), 2));
  }
  for (const auto& idx : files_ending(dir.path(), ".idx")) std::filesystem::remove(idx);
  const auto seg = files_ending(dir.path(), ".log").front();
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(record_size + 60));  // inside the second record's value
    f.put('\x01');
  }
  LogStorage s(dir.path());
  REQUIRE(s.recovery().corrupt.size() == 1);
  CHECK(s.recovery().corrupt[0].offset == record_size);
  CHECK(s.recovery().corrupt[0].segment == seg.filename().string());
  CHECK(s.recovery().torn_bytes == 0);
  CHECK_FALSE(s.get({2, 0}, "second"));
  CHECK(value_of(s.get({3, 0}, "third")) == std::string(100, 'c'));
  CHECK(value_of(s.get({1, 0}, "first")) == std::string(100, 'd'));
}

TEST_CASE("a record damaged after opening reads as missing and is counted", "[storage][log]") {
  TempDir dir;
  LogStorage s(dir.path());
  s.put({1, 0}, "k", one_version(std::string(100, 'a')));
  const auto seg = files_ending(dir.path(), ".log").front();
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(50);
    f.put('\x02');
  }
  CHECK_FALSE(s.get({1, 0}, "k"));
  CHECK(s.stats().corrupt_reads == 1);
}

TEST_CASE("a directory in use is refused, naming the holder", "[storage][log]") {
  TempDir dir;
  {
    LogStorage first(dir.path());
    try {
      LogStorage second(dir.path());
      FAIL("a second LogStorage opened a locked directory");
    } catch (const std::system_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("in use by another LogStorage (pid " +
                                           std::to_string(::getpid())));
    }
  }
  LogStorage again(dir.path());  // released with the first
  CHECK(again.size() == 0);
}

TEST_CASE("bad log storage options and unusable directories are refused", "[storage][log]") {
  TempDir dir;
  LogStorageOptions o;
  o.segment_bytes = 10;
  CHECK_THROWS_AS(LogStorage(dir.path(), o), std::invalid_argument);
  o = {};
  o.compaction_garbage_ratio = 2;
  CHECK_THROWS_AS(LogStorage(dir.path(), o), std::invalid_argument);
  { std::ofstream(dir.path() / "file") << "x"; }
  CHECK_THROWS_AS(LogStorage(dir.path() / "file" / "sub"), std::system_error);
  CHECK(dynamo::parse_sync_policy("group") == SyncPolicy::group);
  CHECK_FALSE(dynamo::parse_sync_policy("sometimes"));
}

TEST_CASE("compaction reclaims superseded records and erasures, keeping every live value",
          "[storage][log]") {
  TempDir dir;
  const auto options = small_segments();
  {
    LogStorage s(dir.path(), options);
    for (int round = 1; round <= 20; ++round) {
      for (int i = 0; i < 20; ++i) {
        s.put(pos_of(i), "k" + std::to_string(i), one_version("r" + std::to_string(round), round));
      }
    }
    for (int i = 0; i < 10; ++i) CHECK(s.erase(pos_of(i), "k" + std::to_string(i)));
    s.put_hint("o", "h", one_version("hint"));
    s.put_meta("m", std::string("meta"));
    const auto before = s.stats();
    s.compact();
    const auto after = s.stats();
    CHECK(after.compactions == 1);
    CHECK(after.disk_bytes < before.disk_bytes / 4);
    CHECK(after.live_bytes == before.live_bytes);
    for (int i = 10; i < 20; ++i) CHECK(value_of(s.get(pos_of(i), "k" + std::to_string(i))) == "r20");
    CHECK(value_of(s.get_hint("o", "h")) == "hint");
  }
  LogStorage s(dir.path(), options);
  CHECK(s.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK_FALSE(s.get(pos_of(i), "k" + std::to_string(i)));
  for (int i = 10; i < 20; ++i) CHECK(value_of(s.get(pos_of(i), "k" + std::to_string(i))) == "r20");
  CHECK(value_of(s.get_hint("o", "h")) == "hint");
  CHECK(s.get_meta("m") == std::optional<std::string>("meta"));
}

TEST_CASE("compaction runs in bounded steps between writes", "[storage][log]") {
  TempDir dir;
  auto options = small_segments();
  options.compaction_min_garbage = 8192;
  options.compaction_step_bytes = 2048;
  LogStorage s(dir.path(), options);
  for (int round = 1; round <= 10; ++round) {
    for (int i = 0; i < 30; ++i) s.put(pos_of(i), "k" + std::to_string(i), one_version("r" + std::to_string(round), round));
  }
  int steps = 0;
  while (s.maintain()) {
    ++steps;
    s.put(pos_of(steps % 30), "k" + std::to_string(steps % 30), one_version("during", 100 + steps));
  }
  CHECK(steps > 3);
  CHECK(s.stats().compactions == 1);
  for (int i = 0; i < 30; ++i) {
    const auto v = value_of(s.get(pos_of(i), "k" + std::to_string(i)));
    CHECK((v == "r10" || v == "during"));
  }
}

TEST_CASE("group commit reports durability from its flusher and wakes the owner",
          "[storage][log]") {
  TempDir dir;
  LogStorageOptions options;
  options.sync = SyncPolicy::group;
  options.group_commit_window = std::chrono::milliseconds(2);
  LogStorage s(dir.path(), options);
  std::atomic<int> wakes{0};
  s.on_durable([&] { ++wakes; });
  for (int i = 0; i < 200; ++i) s.put(pos_of(i), "k" + std::to_string(i), one_version("v"));
  CHECK(s.write_seq() == 200);
  s.sync();
  CHECK(s.durable_seq() == 200);
  // The flusher wakes the owner just after it marks a batch durable, so the wake may trail sync().
  for (int i = 0; i < 500 && wakes.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(wakes.load() >= 1);
  // A 2 ms window gathers many writes into each fdatasync.
  CHECK(s.stats().syncs < 100);
  s.on_durable({});
}

TEST_CASE("log storage behaves like MemoryStorage across reopenings and compaction",
          "[storage][log][model]") {
  const auto seed = GENERATE(range(1, 9));
  CAPTURE(seed);
  std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
  TempDir dir;
  auto options = small_segments(seed % 2 ? SyncPolicy::none : SyncPolicy::group);
  options.compaction_min_garbage = 4096;
  options.compaction_step_bytes = 1500;
  const std::vector<std::string> meta_names{"m0", "m1", "m2"};
  MemoryStorage model;
  auto log = std::make_unique<LogStorage>(dir.path(), options);
  std::uint64_t counter = 0;
  for (int op = 0; op < 3000; ++op) {
    const int key = static_cast<int>(rng() % 60);
    const std::string k = "key" + std::to_string(key);
    const std::string value(rng() % 200, static_cast<char>('a' + rng() % 26));
    switch (rng() % 10) {
      case 0: case 1: case 2: case 3:
        model.put(pos_of(key), k, one_version(value, ++counter));
        log->put(pos_of(key), k, one_version(value, counter));
        break;
      case 4:
        REQUIRE(model.erase(pos_of(key), k) == log->erase(pos_of(key), k));
        break;
      case 5: {
        const std::string owner = "n" + std::to_string(rng() % 3);
        model.put_hint(owner, k, one_version(value, ++counter));
        log->put_hint(owner, k, one_version(value, counter));
        break;
      }
      case 6: {
        const std::string owner = "n" + std::to_string(rng() % 3);
        REQUIRE(model.erase_hint(owner, k) == log->erase_hint(owner, k));
        break;
      }
      case 7: {
        const auto& name = meta_names[rng() % meta_names.size()];
        std::optional<std::string> v;
        if (rng() % 3) v = value;
        model.put_meta(name, v);
        log->put_meta(name, v);
        break;
      }
      case 8:
        log->maintain();
        break;
      case 9:
        if (rng() % 20 == 0) {
          log.reset();
          log = std::make_unique<LogStorage>(dir.path(), options);
          REQUIRE(log->recovery().corrupt.empty());
          REQUIRE(log->recovery().torn_bytes == 0);
        }
        break;
    }
    REQUIRE(log->size() == model.size());
    REQUIRE(log->hint_count() == model.hint_count());
    REQUIRE(value_of(log->get(pos_of(key), k)) == value_of(model.get(pos_of(key), k)));
  }
  CHECK(contents_of(*log, meta_names) == contents_of(model, meta_names));
  log->compact();
  CHECK(contents_of(*log, meta_names) == contents_of(model, meta_names));
  log.reset();
  LogStorage reopened(dir.path(), options);
  CHECK(contents_of(reopened, meta_names) == contents_of(model, meta_names));
}

TEST_CASE("bit flips and truncations of segment and index files never crash recovery",
          "[storage][log][damage]") {
  std::mt19937_64 rng(20261125);
  for (int trial = 0; trial < 150; ++trial) {
    CAPTURE(trial);
    TempDir dir;
    // Every value ever written per key: whatever recovery returns must be one of them.
    std::map<std::string, std::set<std::string>> written;
    {
      auto options = small_segments();
      LogStorage s(dir.path(), options);
      for (int i = 0; i < 120; ++i) {
        const int key = static_cast<int>(rng() % 25);
        const std::string k = "k" + std::to_string(key);
        const std::string v = "v" + std::to_string(i);
        s.put(pos_of(key), k, one_version(v, static_cast<std::uint64_t>(i + 1)));
        written[k].insert(v);
        if (i % 40 == 39) s.compact();
      }
    }
    auto files = files_ending(dir.path(), ".log");
    const auto indexes = files_ending(dir.path(), ".idx");
    files.insert(files.end(), indexes.begin(), indexes.end());
    const auto& victim = files[rng() % files.size()];
    const auto size = std::filesystem::file_size(victim);
    if (size == 0) continue;
    if (rng() % 3 == 0) {
      std::filesystem::resize_file(victim, rng() % size);
    } else {
      std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
      for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
        const auto at = static_cast<std::streamoff>(rng() % size);
        f.seekg(at);
        const char c = static_cast<char>(f.get());
        f.seekp(at);
        f.put(static_cast<char>(c ^ static_cast<char>(1 << (rng() % 8))));
      }
    }
    LogStorage s(dir.path(), small_segments());
    s.for_each_in_range({{0, 0}, {~0ULL, ~0ULL}}, [&](Position, std::string_view k, const Siblings& v) {
      REQUIRE(written[std::string(k)].contains(v.versions()[0].value));
    });
    s.put(pos_of(1), "after", one_version("ok"));
    CHECK(value_of(s.get(pos_of(1), "after")) == "ok");
    s.compact();
    CHECK(value_of(s.get(pos_of(1), "after")) == "ok");
  }
}
