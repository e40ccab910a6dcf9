#pragma once
// MemberStatus: where a node stands in the ring, as gossip announces it and status reports it.

#include <cstdint>
#include <string_view>

namespace dynamo::membership {

// joining: in the layout a change moves to, not yet in the one in use (it is fetching its data);
// normal: in both; leaving: in the layout in use only (its data is being fetched from it);
// left: in neither (it never joined, or it left and hands off whatever it still holds).
enum class MemberStatus : std::uint8_t { joining = 1, normal = 2, leaving = 3, left = 4 };

inline std::string_view to_string(MemberStatus status) {
  switch (status) {
    case MemberStatus::joining: return "joining";
    case MemberStatus::normal: return "normal";
    case MemberStatus::leaving: return "leaving";
    case MemberStatus::left: return "outside";
  }
  return "unknown";
}

}  // namespace dynamo::membership
