#include "dynamo/antientropy/merkle_tree.hpp"

#include <xxhash.h>

#include <string>

namespace dynamo::antientropy {

std::uint64_t key_state_hash(std::string_view key, const Siblings& siblings) {
  std::string bytes;
  bytes.reserve(key.size() + 8 + siblings.versions().size() * 17);
  auto put = [&bytes](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(v >> (8 * i)));
  };
  put(key.size());
  bytes.append(key);
  for (const Versioned& v : siblings.versions()) {
    put(v.dot.actor.value);
    put(v.dot.counter);
    bytes.push_back(v.tombstone ? 1 : 0);
  }
  const std::uint64_t h = XXH3_64bits(bytes.data(), bytes.size());
  return h == 0 ? 1 : h;
}

}  // namespace dynamo::antientropy
