#pragma once
// Context: the opaque token a get hands to the caller and a put or remove takes back. It carries
// the clock of everything the caller saw, so the write supersedes exactly those versions, and
// the key it was read for: a write of another key with it fails with errc::bad_context instead
// of discarding versions of that key its writer never saw.
//
// Encoding (format version 2): "DC", version byte, a byte saying whether the token is bound to
// a key, then if it is the key's 64-bit hash (big-endian), varint entry count, then per entry
// varint actor, counter and timestamp, then the low 32 bits of XXH3-64 over all preceding
// bytes, big-endian. The checksum makes a truncated, edited or foreign token fail to decode
// with errc::bad_context instead of silently carrying a wrong clock.
// Format version 1 (before 0.2) had no key: such a token still decodes, unbound, and is taken
// for any key as before.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "dynamo/core/vector_clock.hpp"

namespace dynamo {

class Context {
 public:
  static constexpr unsigned char format_version = 2;
  // Upper bound on entries accepted when decoding; real contexts hold at most the pruning bound.
  static constexpr std::size_t max_entries = 256;

  Context() = default;  // the empty context: the caller has seen nothing (a blind write)
  // A context bound to no key: accepted for any key (as tokens of format version 1 are).
  explicit Context(VectorClock clock) : clock_(std::move(clock)) {}
  // The context of what a read (or write) of `key` returned: valid for writes of `key` only.
  Context(VectorClock clock, std::string_view key);

  const VectorClock& clock() const { return clock_; }
  bool empty() const { return clock_.empty(); }
  bool bound() const { return key_hash_.has_value(); }

  // errc::bad_context if this context was made for a key other than `key`; success if it was
  // made for `key` or is bound to none.
  std::error_code check_key(std::string_view key) const;

  std::string encode() const;
  static Context decode(std::string_view bytes, std::error_code& ec);

  // Lower-case hex of encode(), for command lines and logs.
  std::string to_text() const;
  static Context from_text(std::string_view text, std::error_code& ec);

  friend bool operator==(const Context&, const Context&) = default;

 private:
  VectorClock clock_;
  std::optional<std::uint64_t> key_hash_;
};

}  // namespace dynamo
