#pragma once

#include <cassert>

namespace dynamo {

inline bool mutually_concurrent(std::span<const Versioned> versions) {
  for (std::size_t i = 0; i < versions.size(); ++i) {
    if (i > 0 && !(versions[i - 1].dot < versions[i].dot)) return false;
    for (std::size_t j = 0; j < versions.size(); ++j) {
      if (i != j && versions[i].supersedes(versions[j])) return false;
    }
  }
  return true;
}

inline bool Siblings::add(Versioned v) {
  for (const Versioned& s : versions_) {
    if (s.dot == v.dot || s.supersedes(v)) return false;
  }
  versions_.erase(std::remove_if(versions_.begin(), versions_.end(),
                                 [&](const Versioned& s) { return v.supersedes(s); }),
                  versions_.end());
  const auto at = std::ranges::upper_bound(versions_, v.dot, {}, &Versioned::dot);
  versions_.insert(at, std::move(v));
  assert(mutually_concurrent(versions()));
  return true;
}

inline bool Siblings::merge(const Siblings& other) {
  bool changed = false;
  for (const Versioned& v : other.versions_) changed |= add(v);
  return changed;
}

inline VectorClock Siblings::clock() const {
  VectorClock c;
  for (const Versioned& v : versions_) {
    c.merge(v.past);
    c.witness(v.dot.actor, v.dot.counter, v.timestamp);
  }
  return c;
}

inline Versioned Siblings::successor(ActorId coordinator, std::uint64_t timestamp,
                                     const VectorClock& context, Value value, bool tombstone,
                                     std::size_t max_clock_entries) const {
  std::uint64_t top = context.counter(coordinator);
  for (const Versioned& v : versions_) {
    top = std::max(top, v.past.counter(coordinator));
    if (v.dot.actor == coordinator) top = std::max(top, v.dot.counter);
  }
  return make_version(Dot{coordinator, top + 1}, timestamp, context, std::move(value), tombstone,
                      max_clock_entries);
}

inline Versioned make_version(Dot dot, std::uint64_t timestamp, const VectorClock& context,
                              Value value, bool tombstone, std::size_t max_clock_entries) {
  Versioned next{.dot = dot, .timestamp = timestamp, .past = context,
                 .value = tombstone ? Value{} : std::move(value), .tombstone = tombstone};
  next.past.prune(max_clock_entries > 0 ? max_clock_entries - 1 : 0, dot.actor);
  return next;
}

inline bool Siblings::has_live_value() const {
  return std::ranges::any_of(versions_, [](const Versioned& v) { return !v.tombstone; });
}

inline std::ostream& operator<<(std::ostream& os, const Siblings& s) {
  os << "Siblings[";
  const char* sep = "";
  for (const Versioned& v : s.versions()) {
    os << sep << v;
    sep = ", ";
  }
  return os << ']';
}

}  // namespace dynamo
