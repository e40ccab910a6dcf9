#pragma once
// Limits: the hard bounds the wire layer enforces on everything it decodes from a peer, and that
// senders check with check_limits() before encoding. They keep a forged or buggy frame from
// making a node allocate without bound. Both ends of a connection should use the same limits:
// a frame one side may send, the other must accept.

#include <cstddef>

#include "dynamo/membership/ring_state.hpp"

namespace dynamo::wire {

struct Limits {
  // Largest whole frame, header included. A header announcing a longer body is rejected with
  // errc::too_large before any body byte is read or buffered. Frames cannot exceed
  // 8 + 4 GiB - 1 bytes whatever this says, as the body length is a 32-bit field.
  std::size_t max_frame = std::size_t{64} << 20;
  // Largest key, in bytes.
  std::size_t max_key = std::size_t{64} << 10;
  // Largest value of one version, in bytes.
  std::size_t max_value = std::size_t{16} << 20;
  // Most versions in one sibling set.
  std::size_t max_siblings = 128;
  // Most entries in one version's past clock.
  std::size_t max_clock_entries = 64;
  // Largest encoded Context carried by a put or remove; 8 KiB holds one of Context::max_entries.
  std::size_t max_context = std::size_t{8} << 10;
  // Largest cluster, node or resolver name, hint owner, or error message text, in bytes.
  std::size_t max_name = std::size_t{1} << 10;
  // Most members in a RingReply. (Each member's partition list is bounded by the protocol, not
  // by a limit: at most ring::RingParams::max_partitions entries.)
  std::size_t max_members = membership::max_ring_members;
  // Most keys in one anti-entropy LeafSync or LeafSyncReply.
  std::size_t max_sync_entries = 65536;

  friend bool operator==(const Limits&, const Limits&) = default;
};

}  // namespace dynamo::wire
