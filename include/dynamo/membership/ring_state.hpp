#pragma once
// RingState: the ring as one versioned document, the records it is made of, and the two changes
// it undergoes. Plain values; membership/ring_view.hpp checks and reads them, and the wire
// carries them as they are (wire::RingReply, wire::MembershipChange; wire/ring_document.hpp).

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "dynamo/ring/member.hpp"

namespace dynamo::membership {

// Most members a ring document lists; the wire's default bound (wire::Limits::max_members).
inline constexpr std::size_t max_ring_members = 1024;

// Where a member listens, as the ring records it for transports that dial peers by address.
struct MemberAddress {
  std::string name;
  std::string address;
  friend bool operator==(const MemberAddress&, const MemberAddress&) = default;
};

// The ring document: what a node holds, keeps in its storage and sends in a RingReply.
struct RingState {
  std::uint64_t epoch = 0;               // 0: no ring yet
  std::vector<ring::Member> current;     // the layout reads and writes use
  std::vector<ring::Member> next;        // the layout a change moves to; empty when stable
  std::vector<MemberAddress> addresses;  // sorted by name; may omit members
  friend bool operator==(const RingState&, const RingState&) = default;
};

// A join admits a node to the ring; a leave hands off its data and removes it.
enum class ChangeKind : std::uint8_t { join = 1, leave = 2 };

std::ostream& operator<<(std::ostream& os, ChangeKind kind);

}  // namespace dynamo::membership
