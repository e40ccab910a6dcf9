#include "dynamo/ring/key_hash.hpp"

#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <xxhash.h>

using dynamo::ring::hash_key;
using dynamo::ring::HashKind;
using dynamo::ring::Position;

TEST_CASE("md5 positions match the published digests, big-endian", "[ring][hash]") {
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e
  CHECK(hash_key(HashKind::md5, "") == Position{0xd41d8cd98f00b204ULL, 0xe9800998ecf8427eULL});
  // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72
  CHECK(hash_key(HashKind::md5, "abc") ==
        Position{0x900150983cd24fb0ULL, 0xd6963f7d28e17f72ULL});
}

TEST_CASE("xxh3_128 positions are XXH3_128bits with hi = high64", "[ring][hash]") {
  for (const std::string& key :
       {std::string(), std::string("a"), std::string("cart:42"), std::string(300, 'x')}) {
    const XXH128_hash_t expected = XXH3_128bits(key.data(), key.size());
    CHECK(hash_key(HashKind::xxh3_128, key) == Position{expected.high64, expected.low64});
  }
  // A fixed value guards against the library silently changing the algorithm.
  const XXH128_hash_t empty = XXH3_128bits("", 0);
  CHECK(empty.high64 == 0x99aa06d3014798d8ULL);
  CHECK(empty.low64 == 0x6001c324468d497fULL);
}

TEST_CASE("hashing is deterministic and the kinds differ", "[ring][hash]") {
  for (HashKind kind : {HashKind::xxh3_128, HashKind::md5}) {
    CHECK(hash_key(kind, "user:1") == hash_key(kind, "user:1"));
    CHECK(hash_key(kind, "user:1") != hash_key(kind, "user:2"));
  }
  CHECK(hash_key(HashKind::xxh3_128, "user:1") != hash_key(HashKind::md5, "user:1"));
  CHECK(hash_key(HashKind::xxh3_128, "") != hash_key(HashKind::md5, ""));
}

TEST_CASE("an unknown hash kind is rejected", "[ring][hash]") {
  CHECK_THROWS_AS(hash_key(static_cast<HashKind>(9), "k"), std::invalid_argument);
  CHECK(to_string(static_cast<HashKind>(9)) == "unknown");
  CHECK(to_string(HashKind::md5) == "md5");
  CHECK_FALSE(is_known(static_cast<HashKind>(0)));
}
