#pragma once
// Siblings: every version of one key that no other version of it has seen. This is what a
// replica stores and what a read returns before resolution.
//
// Versions are identified by dots, so two writes coordinated by the same node with the same (or an
// old) context stay two siblings instead of one silently overwriting the other, and a write that
// carries an old context replaces exactly the versions that context saw, no more and no less. That
// bounds the sibling count by the number of truly concurrent writers (no "sibling explosion").

#include <cstddef>
#include <ostream>
#include <span>

#include <boost/container/small_vector.hpp>

#include "dynamo/core/versioned.hpp"

namespace dynamo {

class Siblings {
 public:
  using Versions = boost::container::small_vector<Versioned, 1>;

  Siblings() = default;

  // Adds `v` unless a stored version already has its dot or supersedes it; removes every stored
  // version that `v` supersedes. Returns true when the set changed. The resulting set does not
  // depend on the order versions arrive in, as long as contexts are causally closed (a context
  // that covers a version also covers that version's past), which holds for contexts produced
  // by clock().
  bool add(Versioned v);

  // Adds every version of `other`; the replica-side merge used by writes, read repair and handoff.
  bool merge(const Siblings& other);

  // The join of every version's clock: the context a read hands out, which supersedes them all.
  VectorClock clock() const;

  // A new version written by `coordinator` at `timestamp` over `context`. Its dot's counter is
  // above every counter of the coordinator this key has seen, so it is unique per key. The past is
  // the context pruned to max_clock_entries - 1 entries, so the version's clock fits the bound.
  Versioned successor(ActorId coordinator, std::uint64_t timestamp, const VectorClock& context,
                      Value value, bool tombstone,
                      std::size_t max_clock_entries = VectorClock::default_max_entries) const;

  // Sorted by dot, so equal sets compare and encode identically.
  std::span<const Versioned> versions() const { return {versions_.data(), versions_.size()}; }
  std::size_t size() const { return versions_.size(); }
  bool empty() const { return versions_.empty(); }

  // True when at least one version is not a tombstone.
  bool has_live_value() const;

  friend bool operator==(const Siblings&, const Siblings&) = default;

 private:
  Versions versions_;
};

// A new version with the given dot over `context`: the past is the context pruned to
// max_clock_entries - 1 entries (keeping the dot's actor), so the version's clock fits the bound.
// The caller guarantees the dot is unique for the key, e.g. by a counter per actor incarnation.
Versioned make_version(Dot dot, std::uint64_t timestamp, const VectorClock& context, Value value,
                       bool tombstone,
                       std::size_t max_clock_entries = VectorClock::default_max_entries);

// True when the versions are sorted by strictly increasing dot and none has seen another (no
// version's past covers another's dot): what a sibling set holds, as Siblings::add keeps it. The
// cores' check_invariants() and asserts in the write paths look at it.
bool mutually_concurrent(std::span<const Versioned> versions);

std::ostream& operator<<(std::ostream& os, const Siblings& s);

}  // namespace dynamo

#include "dynamo/core/impl/siblings.ipp"
