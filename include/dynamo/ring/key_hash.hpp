#pragma once
// Key hashing: where a key lands on the ring. Every node of a cluster must hash the same way, so
// the hash is part of RingParams and checked when peers meet.

#include <cstdint>
#include <ostream>
#include <string_view>

#include "dynamo/ring/position.hpp"

namespace dynamo::ring {

// The hash that maps keys to positions. The numeric values travel on the wire: never renumber.
enum class HashKind : std::uint8_t {
  xxh3_128 = 1,  // the default: fast and well distributed
  md5 = 2,       // as in the Dynamo paper; slower, for interoperating with MD5-based rings
};

// True for the kinds this build knows; decoders use it before trusting a HashKind from a peer.
constexpr bool is_known(HashKind kind) noexcept {
  return kind == HashKind::xxh3_128 || kind == HashKind::md5;
}

// Returns the position of `key` on the ring under `kind`.
// xxh3_128: hi = high64, lo = low64 of XXH3_128bits(key) with seed 0.
// md5: hi = first 8 digest bytes big-endian, lo = the next 8.
// xxh3_128 never allocates; md5 allocates one OpenSSL digest context per calling thread, once.
// Throws std::invalid_argument for an unknown kind and std::runtime_error if OpenSSL cannot
// provide MD5 (e.g. a FIPS-only provider).
// Thread safety: safe to call concurrently.
Position hash_key(HashKind kind, std::string_view key);

// "xxh3_128", "md5", or "unknown".
std::string_view to_string(HashKind kind) noexcept;

inline std::ostream& operator<<(std::ostream& os, HashKind kind) { return os << to_string(kind); }

}  // namespace dynamo::ring
