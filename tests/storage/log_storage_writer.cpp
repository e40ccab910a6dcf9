// The child of the crash test: writes keys into a LogStorage as fast as it can and reports on
// stdout each write the storage has promised to keep across a process crash, until killed.
//
//   log_storage_writer <dir> <always|group|none> <keys> <first>
//
// Writes are numbered from first, so a later run's writes are newer than an earlier run's. Write
// i puts key "k<i % keys>" with value "<i>". A line "<i>\n" means write i is durable by the
// policy's promise: at once for always and none (both survive a process crash), and once
// durable_seq() covers it for group.

#include <unistd.h>

#include <cstdio>
#include <deque>
#include <string>

#include "dynamo/storage/log_storage.hpp"

namespace {

dynamo::Siblings version(std::uint64_t i) {
  dynamo::Siblings s;
  s.add(s.successor(dynamo::ActorId{7}, i + 1, {}, std::to_string(i), false));
  return s;
}

void report(std::uint64_t i) {
  const std::string line = std::to_string(i) + "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) _exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <dir> <always|group|none> <keys> <first>\n", argv[0]);
    return 2;
  }
  const auto policy = dynamo::parse_sync_policy(argv[2]);
  const std::uint64_t keys = std::stoull(argv[3]);
  const std::uint64_t first = std::stoull(argv[4]);
  if (!policy || keys == 0) return 2;
  dynamo::LogStorageOptions options;
  options.sync = *policy;
  options.segment_bytes = 64 << 10;  // many segments, so kills land during rolls too
  options.compaction_min_garbage = 128 << 10;
  options.compaction_step_bytes = 32 << 10;
  dynamo::LogStorage store(argv[1], options);
  report(~0ULL);  // opened: the parent may start its clock
  std::deque<std::pair<std::uint64_t, std::uint64_t>> pending;  // (seq, write)
  for (std::uint64_t i = first;; ++i) {
    const std::string key = "k" + std::to_string(i % keys);
    store.put({i % keys, 0}, key, version(i));
    pending.emplace_back(store.write_seq(), i);
    const std::uint64_t durable = store.durable_seq();
    while (!pending.empty() && pending.front().first <= durable) {
      report(pending.front().second);
      pending.pop_front();
    }
    if (i % 64 == 0) store.maintain();  // compaction steps, so kills land during them too
  }
}
