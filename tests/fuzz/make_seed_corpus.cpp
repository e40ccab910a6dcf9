// Writes the fuzzers' seed corpus: small valid frames of every message type and valid context
// tokens, so libFuzzer starts from inputs that reach deep into the decoders instead of spending
// its runs discovering the magic bytes. Generated rather than checked in so it follows the
// format. Usage: make_seed_corpus <dir>; replaces <dir>/frame and <dir>/context.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "dynamo/core/context.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* name : {"frame", "context"}) {
    fs::remove_all(root / name);
    fs::create_directories(root / name);
  }
  write_frames(root / "frame");
  write_contexts(root / "context");
  return 0;
}
