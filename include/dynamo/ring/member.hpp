#pragma once
// Member: one physical node as placement sees it. A membership snapshot is a list of members;
// the planner fills in their partitions and Ring turns a complete snapshot into preference lists.

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace dynamo::ring {

// A member's place in the name-sorted member list of a snapshot. Only meaningful together with
// the Ring (or planner result) it came from.
using NodeIndex = std::uint16_t;

// '#' never appears in a node's name: clients call themselves "<name>#<hex>" on the wire, so a
// client can never be taken for a node.
inline constexpr char client_identity_separator = '#';
inline bool valid_node_name(std::string_view name) {
  return !name.empty() && name.find(client_identity_separator) == std::string_view::npos;
}

struct Member {
  // NodeIndex is 16 bits wide.
  static constexpr std::size_t max_members = 65535;

  std::string name;                     // unique in the cluster; valid_node_name()
  std::string zone;                     // failure domain (rack, data centre); "" is a zone too
  std::uint32_t weight = 1;             // capacity relative to the others; >= 1
  std::vector<std::uint32_t> partitions;  // the partitions (tokens) this node owns

  friend bool operator==(const Member&, const Member&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Member& m) {
  os << '{' << m.name << " zone=\"" << m.zone << "\" weight=" << m.weight << " partitions=["
     << m.partitions.size() << "]}";
  return os;
}

}  // namespace dynamo::ring
