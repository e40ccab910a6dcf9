#pragma once
// MemberStatus: where a node stands in the ring, as gossip announces it and status reports it;
// MemberHeartbeat: one member's state as gossip spreads it (and wire::Gossip carries it).

#include <cstdint>
#include <string>
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

// One member's state as gossip spreads it. A node's generation grows with each restart, its
// version with each heartbeat or change within a generation: (generation, version) orders every
// piece of news about a member, and the newer one wins everywhere.
// It also carries what the member knows of the ring: the newest ring epoch it holds, and the
// latest membership change whose partitions it has finished fetching; the ring document itself
// travels in wire::RingReply when gossip shows a peer behind.
struct MemberHeartbeat {
  std::string name;
  std::uint64_t generation = 0;
  std::uint64_t version = 0;
  std::uint8_t status = 0;  // MemberStatus, as decoded: a peer may send any byte
  std::uint64_t ring_epoch = 0;
  std::uint64_t fetched_epoch = 0;
  friend bool operator==(const MemberHeartbeat&, const MemberHeartbeat&) = default;
};

}  // namespace dynamo::membership
