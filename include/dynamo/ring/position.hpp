#pragma once
// Position: a point on the ring, the 128-bit hash of a key. Ordered as an unsigned 128-bit number.

#include <compare>
#include <cstdint>
#include <ostream>

namespace dynamo::ring {

struct Position {
  std::uint64_t hi = 0;  // most significant half; partitions are cut on it
  std::uint64_t lo = 0;
  friend auto operator<=>(const Position&, const Position&) = default;
};

// The closed interval [first, last] of positions; partitions never wrap, so neither do ranges.
struct PositionRange {
  Position first;
  Position last;
  bool contains(Position p) const { return first <= p && p <= last; }
  friend bool operator==(const PositionRange&, const PositionRange&) = default;
};

inline std::ostream& operator<<(std::ostream& os, Position p) {
  const auto flags = os.flags();
  os << std::hex << p.hi << ':' << p.lo;
  os.flags(flags);
  return os;
}

}  // namespace dynamo::ring
