// Writes the fuzzers' seed corpus: small valid frames of every message type and valid context
// tokens, so libFuzzer starts from inputs that reach deep into the decoders instead of spending
// its runs discovering the magic bytes. Generated rather than checked in so it follows the
// format. Usage: make_seed_corpus <dir>; replaces <dir>/frame, <dir>/context and <dir>/log.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "dynamo/core/context.hpp"
#include "dynamo/storage/log_storage.hpp"
#include "dynamo/wire/frame.hpp"
#include "wire/random_messages.hpp"

namespace {

namespace fs = std::filesystem;
using dynamo::wire::testing::all_message_types;
using dynamo::wire::testing::MessageGenerator;

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_frames(const fs::path& dir) {
  int n = 0;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    for (const auto type : all_message_types) {
      MessageGenerator gen(seed * 1000 + static_cast<std::uint64_t>(type), 24, 4);
      write_file(dir / ("seed-" + std::to_string(n++)), encode_frame(gen.of(type)));
    }
  }
}

void write_contexts(const fs::path& dir) {
  MessageGenerator gen(42);
  write_file(dir / "seed-empty", dynamo::Context{}.encode());
  for (int n = 0; n < 8; ++n) {
    write_file(dir / ("seed-" + std::to_string(n)), dynamo::Context{gen.clock()}.encode());
  }
}

// Segment files as LogStorage writes them: keys, an overwrite, an erasure, a hint, metadata.
void write_segments(const fs::path& dir) {
  const fs::path scratch = dir / "scratch";
  for (int n = 0; n < 4; ++n) {
    fs::remove_all(scratch);
    {
      dynamo::LogStorage store(scratch);
      dynamo::Siblings s;
      s.add(s.successor(dynamo::ActorId{1}, 1, {}, "value-" + std::to_string(n), false));
      for (int k = 0; k <= n; ++k) store.put({std::uint64_t(k), 0}, "key" + std::to_string(k), s);
      if (n >= 1) store.erase({0, 0}, "key0");
      if (n >= 2) store.put_hint("owner", "hinted", s);
      if (n >= 3) store.put_meta("tokens", std::string("1,2,3"));
    }
    std::ifstream in(scratch / "00000001.log", std::ios::binary);
    write_file(dir / ("seed-" + std::to_string(n)),
               std::string(std::istreambuf_iterator<char>(in), {}));
  }
  fs::remove_all(scratch);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* name : {"frame", "context", "log"}) {
    fs::remove_all(root / name);
    fs::create_directories(root / name);
  }
  write_frames(root / "frame");
  write_contexts(root / "context");
  write_segments(root / "log");
  return 0;
}
