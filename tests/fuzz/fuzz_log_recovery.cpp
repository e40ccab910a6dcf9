// libFuzzer target for LogStorage recovery: the input is the content of a segment file (without
// an index, so every byte is scanned) in an otherwise empty directory. Opening must never crash
// or throw; every key recovered must read back as a non-empty sibling set or as missing (a damaged
// value is counted, not returned); and the store must take a write and keep it across a reopen.

#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "dynamo/storage/log_storage.hpp"

namespace {

namespace fs = std::filesystem;

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_log_recovery: %s\n", what);
  std::abort();
}

const fs::path& work_dir() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "dynamo-fuzz-log-XXXXXX").string();
    require(::mkdtemp(pattern.data()) != nullptr, "mkdtemp failed");
    std::atexit([] { fs::remove_all(work_dir()); });
    return fs::path(pattern);
  }();
  return dir;
}

dynamo::Siblings one_version(const std::string& value) {
  dynamo::Siblings s;
  s.add(s.successor(dynamo::ActorId{1}, 1, {}, value, false));
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path& dir = work_dir();
  for (const auto& entry : fs::directory_iterator(dir)) fs::remove_all(entry.path());
  {
    std::ofstream out(dir / "00000001.log", std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  dynamo::LogStorageOptions options;
  options.sync = dynamo::SyncPolicy::none;
  {
    dynamo::LogStorage store(dir, options);
    // An empty segment is dropped on open (a crash right after a roll leaves one).
    require(store.recovery().segments == (size > 0 ? 1u : 0u), "the segment was not found");
    std::size_t seen = 0;
    store.for_each_in_range({{0, 0}, {~0ULL, ~0ULL}},
                            [&](dynamo::ring::Position, std::string_view, const dynamo::Siblings& s) {
                              require(!s.empty(), "an empty sibling set was returned");
                              ++seen;
                            });
    require(seen + store.stats().corrupt_reads == store.size(), "keys neither read nor counted");
    store.put({1, 2}, "fuzz-after", one_version("kept"));
  }
  dynamo::LogStorage reopened(dir, options);
  const auto kept = reopened.get({1, 2}, "fuzz-after");
  require(kept && kept->versions()[0].value == "kept", "a write after recovery was lost");
  return 0;
}
