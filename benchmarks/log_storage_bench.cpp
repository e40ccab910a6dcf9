// Figures for LogStorage, the durable storage: puts per second under each durability policy
// (1 KiB values, timed until every put is durable), recovery time of a directory of N keys (from
// index files and by scanning, with the page cache warm and cold), and space amplification before
// and after a compaction. Prints a table and a one-line JSON object; asserts nothing about time.
//
// Usage: dynamo_log_storage_bench [--dir D] [--keys N] [--puts N] [--quick]
//   --dir    where to make the scratch directory (default /tmp); it is removed at the end
//   --keys   keys written for the recovery test (default 1,000,000)
//   --puts   puts per row of the puts/s test (default 200,000; the `always` row does at most
//            2,000 or 2 s of them, since each one waits for a disk flush)
//   --quick  a smoke run: 100,000 recovery keys and fewer puts

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dynamo/ring/key_hash.hpp"
#include "dynamo/storage/log_storage.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using dynamo::LogStorage;
using dynamo::LogStorageOptions;
using dynamo::Siblings;
using dynamo::SyncPolicy;

constexpr std::size_t value_bytes = 1024;

struct Args {
  fs::path base = "/tmp";
  std::size_t keys = 1'000'000;
  std::size_t puts = 200'000;
  std::size_t always_puts = 2'000;
  std::size_t amp_keys = 100'000;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: dynamo_log_storage_bench [--dir D] [--keys N] [--puts N] [--quick]\n");
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args args;
  bool quick = false, keys_given = false, puts_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--dir" && has_value) {
      args.base = argv[++i];
    } else if (arg == "--keys" && has_value) {
      args.keys = std::stoull(argv[++i]);
      keys_given = true;
    } else if (arg == "--puts" && has_value) {
      args.puts = std::stoull(argv[++i]);
      puts_given = true;
    } else {
      usage();
    }
  }
  if (quick) {
    if (!keys_given) args.keys = 100'000;
    if (!puts_given) args.puts = 20'000;
    args.always_puts = 200;
    args.amp_keys = 20'000;
  }
  if (args.keys == 0 || args.puts == 0) usage();
  return args;
}

// A directory made with mkdtemp, removed with everything in it when this goes away.
class ScratchDir {
 public:
  explicit ScratchDir(const fs::path& base) {
    std::string pattern = (base / "dynamo-log-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed under " + base.string());
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void remove_dir(const fs::path& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string key_of(std::size_t i) { return "user" + std::to_string(i); }

// Writes key i with a 1 KiB value; counter orders overwrites of the same key.
void put_key(LogStorage& storage, std::size_t i, std::uint64_t counter) {
  static const std::string value(value_bytes, 'v');
  const std::string key = key_of(i);
  Siblings s;
  s.add(s.successor(dynamo::ActorId{1}, counter, {}, value, false));
  storage.put(dynamo::ring::hash_key(dynamo::ring::HashKind::xxh3_128, key), key, std::move(s));
}

// ---- puts per second ----

// When each put was made and when it became durable. put_at is written by the benchmark's thread
// and durable_at by whoever calls durable_through: the flusher's callback while puts run, then
// the benchmark's thread once the callback is uninstalled, so no element is shared.
class DurabilityTimes {
 public:
  DurabilityTimes(std::size_t puts, std::uint64_t first_seq)
      : put_at_(puts), durable_at_(puts), first_seq_(first_seq) {}

  void put_started(std::size_t i) { put_at_[i] = Clock::now(); }

  // Stamps now on every put whose seq is at most durable_seq and not stamped yet.
  void durable_through(std::uint64_t durable_seq) {
    const auto now = Clock::now();
    while (stamped_ < durable_at_.size() && first_seq_ + stamped_ <= durable_seq) {
      durable_at_[stamped_++] = now;
    }
  }

  // Put-to-durable latencies in microseconds of the first `puts` puts, sorted.
  std::vector<double> latencies_us(std::size_t puts) const {
    std::vector<double> out;
    for (std::size_t i = 0; i < std::min(puts, stamped_); ++i) {
      out.push_back(std::chrono::duration<double, std::micro>(durable_at_[i] - put_at_[i]).count());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::vector<Clock::time_point> put_at_, durable_at_;
  std::uint64_t first_seq_;
  std::size_t stamped_ = 0;
};

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

struct PutPlan {
  std::string name;
  LogStorageOptions options;
  std::size_t puts;
  Clock::duration budget;  // stop early once this much time has passed
};

struct PutRow {
  std::string name;
  std::size_t puts = 0;
  double put_seconds = 0;    // until the last put returned
  double total_seconds = 0;  // until the last put was durable
  std::uint64_t syncs = 0;
  bool has_latency = false;
  double p50_us = 0, p99_us = 0;
};

PutRow run_puts(const fs::path& dir, const PutPlan& plan) {
  PutRow row{plan.name};
  LogStorage storage(dir, plan.options);
  const std::uint64_t syncs_before = storage.stats().syncs;
  DurabilityTimes times(plan.puts, storage.write_seq() + 1);
  const SyncPolicy policy = plan.options.sync;
  if (policy == SyncPolicy::group) {
    storage.on_durable([&] { times.durable_through(storage.durable_seq()); });
  }
  const auto start = Clock::now();
  std::size_t done = 0;
  while (done < plan.puts && Clock::now() - start < plan.budget) {
    times.put_started(done);
    put_key(storage, done, 1);
    if (policy == SyncPolicy::always) times.durable_through(storage.durable_seq());
    ++done;
  }
  row.put_seconds = seconds_since(start);
  storage.sync();
  row.total_seconds = seconds_since(start);
  storage.on_durable({});
  row.puts = done;
  row.syncs = storage.stats().syncs - syncs_before;
  if (policy != SyncPolicy::none) {
    times.durable_through(storage.durable_seq());  // a batch whose callback had not run yet
    const auto latencies = times.latencies_us(done);
    row.has_latency = true;
    row.p50_us = quantile(latencies, 0.50);
    row.p99_us = quantile(latencies, 0.99);
  }
  return row;
}

std::vector<PutPlan> put_plans(const Args& args) {
  LogStorageOptions always, group, group_1ms, none;
  always.sync = SyncPolicy::always;
  group.sync = SyncPolicy::group;
  group_1ms.sync = SyncPolicy::group;
  group_1ms.group_commit_window = std::chrono::milliseconds(1);
  none.sync = SyncPolicy::none;
  const auto unbounded = Clock::duration::max();
  return {{"always", always, std::min(args.always_puts, args.puts), std::chrono::seconds(2)},
          {"group", group, args.puts, unbounded},
          {"group 1ms", group_1ms, args.puts, unbounded},
          {"none", none, args.puts, unbounded}};
}

// ---- recovery ----

struct RecoveryRow {
  std::string name;
  double seconds = 0;
  std::size_t keys = 0;
  std::size_t indexes_used = 0;
  std::size_t segments_scanned = 0;
};

LogStorageOptions no_sync() {
  LogStorageOptions options;
  options.sync = SyncPolicy::none;
  return options;
}

void fill(const fs::path& dir, std::size_t keys) {
  LogStorage storage(dir, no_sync());
  for (std::size_t i = 0; i < keys; ++i) put_key(storage, i, 1);
}

RecoveryRow time_open(const std::string& name, const fs::path& dir) {
  const auto start = Clock::now();
  const LogStorage storage(dir, no_sync());
  const double seconds = seconds_since(start);
  return {name, seconds, storage.size(), storage.recovery().indexes_used,
          storage.recovery().segments_scanned};
}

void remove_indexes(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".idx") fs::remove(entry.path());
  }
}

// Drops the directory's files from the page cache, so the next open reads them from the disk as
// it would after a reboot (of this machine; a VM's host may still cache them).
void evict_page_cache(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    (void)::fdatasync(fd);
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

std::vector<RecoveryRow> run_recovery(const fs::path& dir, std::size_t keys) {
  fill(dir, keys);
  std::vector<RecoveryRow> rows;
  rows.push_back(time_open("index, warm cache", dir));
  evict_page_cache(dir);
  rows.push_back(time_open("index, cold cache", dir));
  // A scan writes the indexes it lacked, so they are removed before each scanning open.
  remove_indexes(dir);
  evict_page_cache(dir);
  rows.push_back(time_open("scan, cold cache", dir));
  remove_indexes(dir);
  rows.push_back(time_open("scan, warm cache", dir));
  return rows;
}

// ---- space amplification ----

struct SpaceResult {
  std::size_t keys = 0;
  std::size_t writes = 0;
  double amp_before = 0, amp_after = 0;
  std::uint64_t segments_before = 0, segments_after = 0;
  double compact_seconds = 0;
  double compacted_mb = 0;  // closed segments read and replaced
};

double amplification(const dynamo::LogStorageStats& stats) {
  return stats.live_bytes == 0
             ? 0
             : static_cast<double>(stats.disk_bytes) / static_cast<double>(stats.live_bytes);
}

SpaceResult run_space(const fs::path& dir, std::size_t keys) {
  constexpr std::uint64_t rounds = 4;  // the first write and three overwrites
  LogStorageOptions options = no_sync();
  options.segment_bytes = std::uint64_t{16} << 20;
  LogStorage storage(dir, options);
  for (std::uint64_t round = 1; round <= rounds; ++round) {
    for (std::size_t i = 0; i < keys; ++i) put_key(storage, i, round);
  }
  SpaceResult r{keys, keys * rounds};
  const auto before = storage.stats();
  r.amp_before = amplification(before);
  r.segments_before = before.segments;
  const auto start = Clock::now();
  storage.compact();
  r.compact_seconds = seconds_since(start);
  const auto after = storage.stats();
  r.amp_after = amplification(after);
  r.segments_after = after.segments;
  r.compacted_mb = static_cast<double>(after.compacted_bytes - before.compacted_bytes) / 1e6;
  return r;
}

// ---- output ----

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("model name")) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line
                                        : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

double per_second(std::size_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

void print_puts(const std::vector<PutRow>& rows) {
  std::printf(
      "\nPuts of 1 KiB values to distinct keys, timed until all are durable (sync() included)\n");
  std::printf("%-10s %8s %9s %12s %13s %7s %9s %9s %9s\n", "policy", "puts", "seconds", "durable/s",
              "returned/s", "syncs", "puts/sync", "p50 us", "p99 us");
  for (const auto& r : rows) {
    std::printf("%-10s %8zu %9.3f %12.0f %13.0f %7llu %9.1f", r.name.c_str(), r.puts,
                r.total_seconds, per_second(r.puts, r.total_seconds),
                per_second(r.puts, r.put_seconds), static_cast<unsigned long long>(r.syncs),
                r.syncs ? static_cast<double>(r.puts) / static_cast<double>(r.syncs) : 0.0);
    if (r.has_latency) {
      std::printf(" %9.0f %9.0f\n", r.p50_us, r.p99_us);
    } else {
      std::printf(" %9s %9s\n", "-", "-");
    }
  }
}

void print_recovery(const std::vector<RecoveryRow>& rows) {
  std::printf("\nRecovery: opening a directory of 1 KiB values\n");
  std::printf("%-18s %9s %10s %13s %17s\n", "case", "seconds", "keys", "indexes_used",
              "segments_scanned");
  for (const auto& r : rows) {
    std::printf("%-18s %9.3f %10zu %13zu %17zu\n", r.name.c_str(), r.seconds, r.keys,
                r.indexes_used, r.segments_scanned);
  }
}

void print_space(const SpaceResult& s) {
  std::printf("\nSpace amplification: %zu keys written 4 times (1 KiB values, 16 MiB segments)\n",
              s.keys);
  std::printf("%-28s %9.2f  (%llu segments)\n", "disk/live before compact()", s.amp_before,
              static_cast<unsigned long long>(s.segments_before));
  std::printf("%-28s %9.2f  (%llu segments)\n", "disk/live after compact()", s.amp_after,
              static_cast<unsigned long long>(s.segments_after));
  std::printf("%-28s %9.3f s, %.0f MB of old segments, %.1f MB/s\n", "compaction",
              s.compact_seconds, s.compacted_mb,
              s.compact_seconds > 0 ? s.compacted_mb / s.compact_seconds : 0.0);
}

void print_json(unsigned nproc, const std::string& cpu, const std::vector<PutRow>& puts,
                const std::vector<RecoveryRow>& recovery, const SpaceResult& s) {
  std::printf("\nJSON: {\"machine\":{\"nproc\":%u,\"cpu\":%s},\"puts\":[", nproc,
              json_string(cpu).c_str());
  for (std::size_t i = 0; i < puts.size(); ++i) {
    const auto& r = puts[i];
    std::printf(
        "%s{\"policy\":%s,\"puts\":%zu,\"seconds\":%.4f,\"durable_per_s\":%.0f,"
        "\"returned_per_s\":%.0f,\"syncs\":%llu",
        i ? "," : "", json_string(r.name).c_str(), r.puts, r.total_seconds,
        per_second(r.puts, r.total_seconds), per_second(r.puts, r.put_seconds),
        static_cast<unsigned long long>(r.syncs));
    if (r.has_latency) std::printf(",\"p50_us\":%.0f,\"p99_us\":%.0f", r.p50_us, r.p99_us);
    std::printf("}");
  }
  std::printf("],\"recovery\":[");
  for (std::size_t i = 0; i < recovery.size(); ++i) {
    const auto& r = recovery[i];
    std::printf(
        "%s{\"case\":%s,\"seconds\":%.4f,\"keys\":%zu,\"indexes_used\":%zu,"
        "\"segments_scanned\":%zu}",
        i ? "," : "", json_string(r.name).c_str(), r.seconds, r.keys, r.indexes_used,
        r.segments_scanned);
  }
  std::printf(
      "],\"space\":{\"keys\":%zu,\"writes\":%zu,\"amp_before\":%.3f,\"amp_after\":%.3f,"
      "\"compact_seconds\":%.3f,\"compacted_mb\":%.1f}}\n",
      s.keys, s.writes, s.amp_before, s.amp_after, s.compact_seconds, s.compacted_mb);
}

void run(const Args& args) {
  const ScratchDir scratch(args.base);
  const unsigned nproc = std::thread::hardware_concurrency();
  const std::string cpu = cpu_model();
  std::printf("dynamo_log_storage_bench: %u CPUs, %s; scratch %s\n", nproc, cpu.c_str(),
              scratch.path().c_str());
  std::fflush(stdout);

  std::vector<PutRow> puts;
  for (const auto& plan : put_plans(args)) {
    const fs::path dir = scratch.path() / ("puts-" + std::to_string(puts.size()));
    puts.push_back(run_puts(dir, plan));
    remove_dir(dir);
  }
  print_puts(puts);
  std::fflush(stdout);

  const fs::path recovery_dir = scratch.path() / "recovery";
  const auto recovery = run_recovery(recovery_dir, args.keys);
  remove_dir(recovery_dir);
  print_recovery(recovery);
  std::fflush(stdout);

  const fs::path space_dir = scratch.path() / "space";
  const SpaceResult space = run_space(space_dir, args.amp_keys);
  remove_dir(space_dir);
  print_space(space);
  print_json(nproc, cpu, puts, recovery, space);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  try {
    run(args);  // unwinding removes the scratch directory if a run throws
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dynamo_log_storage_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
