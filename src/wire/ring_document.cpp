#include "dynamo/wire/ring_document.hpp"

#include <utility>

#include "dynamo/ring/key_hash.hpp"
#include "dynamo/wire/frame.hpp"

namespace dynamo::wire {

RingReply to_reply(const membership::RingState& state, std::uint64_t request_id,
                   const ring::RingParams& params, std::uint32_t replicas) {
  return RingReply{request_id, params, replicas, state.current,
                   state.epoch, state.next, state.addresses};
}

membership::RingState state_of(RingReply reply) {
  return membership::RingState{reply.epoch, std::move(reply.members), std::move(reply.next),
                               std::move(reply.addresses)};
}

std::uint64_t digest(const membership::RingState& state) {
  const ring::Position h =
      ring::hash_key(ring::HashKind::xxh3_128, encode_frame(to_reply(state, 0, {}, 0)));
  return h.hi ^ h.lo;
}

bool supersedes(const membership::RingState& a, const membership::RingState& b) {
  if (a.epoch != b.epoch) return a.epoch > b.epoch;
  return a != b && digest(a) > digest(b);
}

}  // namespace dynamo::wire
