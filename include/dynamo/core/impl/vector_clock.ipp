#pragma once
// Inline bodies of VectorClock: compare and merge sit on every read and write path.

namespace dynamo {

inline std::optional<VectorClock> VectorClock::from_sorted(std::span<const ClockEntry> entries) {
  VectorClock clock;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].counter == 0) return std::nullopt;
    if (i > 0 && !(entries[i - 1].actor < entries[i].actor)) return std::nullopt;
  }
  clock.entries_.assign(entries.begin(), entries.end());
  return clock;
}

inline VectorClock::Entries::iterator VectorClock::find_slot(ActorId actor) {
  return std::ranges::lower_bound(entries_, actor, {}, &ClockEntry::actor);
}

inline std::uint64_t VectorClock::counter(ActorId actor) const {
  const auto it = std::ranges::lower_bound(entries_, actor, {}, &ClockEntry::actor);
  return it != entries_.end() && it->actor == actor ? it->counter : 0;
}

inline void VectorClock::witness(ActorId actor, std::uint64_t counter, std::uint64_t timestamp) {
  if (counter == 0) return;
  auto it = find_slot(actor);
  if (it == entries_.end() || it->actor != actor) {
    entries_.insert(it, ClockEntry{actor, counter, timestamp});
  } else if (it->counter < counter) {
    it->counter = counter;
    it->timestamp = timestamp;
  } else if (it->counter == counter) {
    it->timestamp = std::max(it->timestamp, timestamp);
  }
}

inline void VectorClock::increment(ActorId actor, std::uint64_t timestamp,
                                   std::size_t max_entries) {
  witness(actor, counter(actor) + 1, timestamp);
  prune(max_entries, actor);
}

inline void VectorClock::merge(const VectorClock& other) {
  Entries out;
  out.reserve(entries_.size() + other.entries_.size());
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() || b != other.entries_.end()) {
    if (b == other.entries_.end() || (a != entries_.end() && a->actor < b->actor)) {
      out.push_back(*a++);
    } else if (a == entries_.end() || b->actor < a->actor) {
      out.push_back(*b++);
    } else {
      ClockEntry e = a->counter > b->counter ? *a : *b;
      if (a->counter == b->counter) e.timestamp = std::max(a->timestamp, b->timestamp);
      out.push_back(e);
      ++a;
      ++b;
    }
  }
  entries_ = std::move(out);
}

inline void VectorClock::prune(std::size_t max_entries, std::optional<ActorId> keep) {
  while (entries_.size() > max_entries) {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (keep && it->actor == *keep) continue;
      if (victim == entries_.end() || it->timestamp < victim->timestamp) victim = it;
    }
    if (victim == entries_.end()) return;
    entries_.erase(victim);
  }
}

inline Order VectorClock::compare(const VectorClock& other) const {
  bool some_greater = false;  // this has an event other lacks
  bool some_less = false;     // other has an event this lacks
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() && b != other.entries_.end()) {
    if (a->actor < b->actor) {
      some_greater = true;
      ++a;
    } else if (b->actor < a->actor) {
      some_less = true;
      ++b;
    } else {
      some_greater |= a->counter > b->counter;
      some_less |= a->counter < b->counter;
      ++a;
      ++b;
    }
  }
  some_greater |= a != entries_.end();
  some_less |= b != other.entries_.end();
  if (some_greater && some_less) return Order::concurrent;
  if (some_greater) return Order::after;
  if (some_less) return Order::before;
  return Order::equal;
}

inline VectorClock merged(VectorClock a, const VectorClock& b) {
  a.merge(b);
  return a;
}

inline std::ostream& operator<<(std::ostream& os, ActorId a) { return os << a.value; }

inline std::ostream& operator<<(std::ostream& os, const Dot& d) {
  return os << '(' << d.actor << ',' << d.counter << ')';
}

inline std::ostream& operator<<(std::ostream& os, Order o) {
  constexpr const char* names[] = {"before", "after", "equal", "concurrent"};
  return os << names[static_cast<int>(o)];
}

inline std::ostream& operator<<(std::ostream& os, const VectorClock& c) {
  os << '{';
  const char* sep = "";
  for (const ClockEntry& e : c.entries()) {
    os << sep << e.actor << ':' << e.counter << '@' << e.timestamp;
    sep = ", ";
  }
  return os << '}';
}

}  // namespace dynamo
