#pragma once
// Context: the opaque token a get hands to the caller and a put or remove takes back. It carries
// the clock of everything the caller saw, so the write supersedes exactly those versions.
//
// Encoding (format version 1): "DC", version byte, varint entry count, then per entry varint
// actor, counter and timestamp, then the low 32 bits of XXH3-64 over all preceding bytes,
// big-endian. The checksum makes a truncated, edited or foreign token fail to decode with
// errc::bad_context instead of silently carrying a wrong clock.

#include <string>
#include <string_view>
#include <system_error>

#include "dynamo/core/vector_clock.hpp"

namespace dynamo {

class Context {
 public:
  static constexpr unsigned char format_version = 1;
  // Upper bound on entries accepted when decoding; real contexts hold at most the pruning bound.
  static constexpr std::size_t max_entries = 256;

  Context() = default;  // the empty context: the caller has seen nothing (a blind write)
  explicit Context(VectorClock clock) : clock_(std::move(clock)) {}

  const VectorClock& clock() const { return clock_; }
  bool empty() const { return clock_.empty(); }

  std::string encode() const;
  static Context decode(std::string_view bytes, std::error_code& ec);

  // Lower-case hex of encode(), for command lines and logs.
  std::string to_text() const;
  static Context from_text(std::string_view text, std::error_code& ec);

  friend bool operator==(const Context&, const Context&) = default;

 private:
  VectorClock clock_;
};

}  // namespace dynamo
