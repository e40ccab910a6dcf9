#pragma once
// VectorClock: the causal history of a version, as the Dynamo paper's (node, counter) pairs, plus
// the wall-clock time each entry was last advanced, which the paper uses to prune old entries.

#include <algorithm>
#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>

#include <boost/container/small_vector.hpp>

namespace dynamo {

// Identifies who issued a clock entry: a node in one incarnation of its storage. How an id is
// derived from a node's name and epoch is the node layer's business; here it is an opaque number.
struct ActorId {
  std::uint64_t value = 0;
  friend auto operator<=>(const ActorId&, const ActorId&) = default;
};

// One write event: the counter'th event issued by an actor.
struct Dot {
  ActorId actor;
  std::uint64_t counter = 0;
  friend auto operator<=>(const Dot&, const Dot&) = default;
};

struct ClockEntry {
  ActorId actor;
  std::uint64_t counter = 0;    // always >= 1 in a clock
  std::uint64_t timestamp = 0;  // milliseconds since the Unix epoch, on the issuing node's clock
  friend bool operator==(const ClockEntry&, const ClockEntry&) = default;
};

// How two clocks relate causally. Timestamps never take part in the comparison.
enum class Order { before, after, equal, concurrent };

// Entries sorted by actor, at most one per actor, each with a counter >= 1. A regular value type.
class VectorClock {
 public:
  using Entries = boost::container::small_vector<ClockEntry, 4>;

  // The paper prunes clocks past ten entries.
  static constexpr std::size_t default_max_entries = 10;

  VectorClock() = default;

  // Builds a clock from entries that must be strictly sorted by actor with counters >= 1;
  // returns nullopt otherwise. Used by decoders, which must not trust their input.
  static std::optional<VectorClock> from_sorted(std::span<const ClockEntry> entries);

  std::span<const ClockEntry> entries() const { return {entries_.data(), entries_.size()}; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // 0 when the actor has no entry.
  std::uint64_t counter(ActorId actor) const;
  bool covers(const Dot& dot) const { return counter(dot.actor) >= dot.counter; }

  // Raises the actor's entry to at least `counter`, stamping it with `timestamp` when it moves.
  void witness(ActorId actor, std::uint64_t counter, std::uint64_t timestamp);

  // Advances the actor's counter by one, then prunes to max_entries, never dropping the actor.
  void increment(ActorId actor, std::uint64_t timestamp,
                 std::size_t max_entries = default_max_entries);

  // Pointwise maximum. Where counters tie, the later timestamp is kept, so merge is commutative.
  void merge(const VectorClock& other);

  // Drops entries, oldest timestamp first (ties: smaller actor first), until at most max_entries
  // remain. The choice depends only on the clock, so every replica prunes it the same way.
  // `keep` is never dropped.
  void prune(std::size_t max_entries, std::optional<ActorId> keep = std::nullopt);

  Order compare(const VectorClock& other) const;

  // True when this clock has seen everything `other` has (after or equal).
  bool descends(const VectorClock& other) const {
    const Order o = compare(other);
    return o == Order::after || o == Order::equal;
  }

  friend bool operator==(const VectorClock& a, const VectorClock& b) {
    return std::ranges::equal(a.entries_, b.entries_);
  }

 private:
  Entries::iterator find_slot(ActorId actor);
  Entries entries_;
};

VectorClock merged(VectorClock a, const VectorClock& b);

std::ostream& operator<<(std::ostream& os, ActorId a);
std::ostream& operator<<(std::ostream& os, const Dot& d);
std::ostream& operator<<(std::ostream& os, Order o);
std::ostream& operator<<(std::ostream& os, const VectorClock& c);

}  // namespace dynamo

#include "dynamo/core/impl/vector_clock.ipp"
