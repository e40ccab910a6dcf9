#pragma once
// Versioned: one version of a key's value, identified by the write event (dot) that made it, as in
// dotted version vectors. Its causal past is the context the writer supplied; its full clock is
// that past plus its own dot.

#include <cstdint>
#include <ostream>

#include "dynamo/core/bytes.hpp"
#include "dynamo/core/vector_clock.hpp"

namespace dynamo {

struct Versioned {
  Dot dot;                      // the coordinator's event that created this version
  std::uint64_t timestamp = 0;  // the coordinator's wall clock at that event, in ms
  VectorClock past;             // what the writer had seen: the context of its put
  Value value;                  // empty for a tombstone
  bool tombstone = false;       // a remove is a version too, so it can supersede others

  // The past with this version's own dot added.
  VectorClock clock() const {
    VectorClock c = past;
    c.witness(dot.actor, dot.counter, timestamp);
    return c;
  }

  // True when this version has seen `other` (other's event is in this one's past).
  bool supersedes(const Versioned& other) const { return past.covers(other.dot); }

  friend bool operator==(const Versioned&, const Versioned&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Versioned& v) {
  os << "Versioned{" << v.dot << " past=" << v.past;
  if (v.tombstone) return os << " tombstone}";
  return os << " value=\"" << v.value << "\"}";
}

}  // namespace dynamo
