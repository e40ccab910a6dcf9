#pragma once
// The ring document (membership::RingState) as the wire carries it: in a RingReply, and in the
// frame whose hash orders two different documents of one epoch.

#include <cstdint>

#include "dynamo/membership/ring_state.hpp"
#include "dynamo/ring/ring_params.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo::wire {

// The RingReply carrying `state`, and back.
RingReply to_reply(const membership::RingState& state, std::uint64_t request_id,
                   const ring::RingParams& params, std::uint32_t replicas);
membership::RingState state_of(RingReply reply);

// A fingerprint of the document's content (a hash of its encoded frame); equal documents, equal
// digests.
std::uint64_t digest(const membership::RingState& state);

// Whether `a` is newer news than `b`: a higher epoch, or at equal epochs (two documents that
// should never differ, but might after a misconfiguration) the higher digest, so that every node
// settles on the same one.
bool supersedes(const membership::RingState& a, const membership::RingState& b);

}  // namespace dynamo::wire
