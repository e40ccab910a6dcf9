#pragma once
// Builders shared by the ring tests: named members and a deterministic key set.

#include <set>
#include <span>
#include <string>
#include <vector>

#include "dynamo/ring/member.hpp"
#include "dynamo/ring/ring.hpp"

namespace dynamo::ring::testing {

// Members "n00", "n01", ... with the given zones (cycled) and weight 1.
inline std::vector<Member> make_members(int count, const std::vector<std::string>& zones = {""}) {
  std::vector<Member> members;
  for (int i = 0; i < count; ++i) {
    Member m;
    m.name = (i < 10 ? "n0" : "n") + std::to_string(i);
    m.zone = zones[static_cast<std::size_t>(i) % zones.size()];
    members.push_back(m);
  }
  return members;
}

inline Member make_member(std::string name, std::string zone = "", std::uint32_t weight = 1) {
  Member m;
  m.name = std::move(name);
  m.zone = std::move(zone);
  m.weight = weight;
  return m;
}

// "key-0", "key-1", ...: the same keys on every run.
inline const std::vector<std::string>& test_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (int i = 0; i < 100000; ++i) k.push_back("key-" + std::to_string(i));
    return k;
  }();
  return keys;
}

inline std::set<std::string> names_of(const Ring& ring, std::span<const NodeIndex> nodes) {
  std::set<std::string> names;
  for (NodeIndex n : nodes) names.insert(ring.member(n).name);
  return names;
}

inline std::set<std::string> zones_of(const Ring& ring, std::span<const NodeIndex> nodes) {
  std::set<std::string> zones;
  for (NodeIndex n : nodes) zones.insert(ring.member(n).zone);
  return zones;
}

}  // namespace dynamo::ring::testing
