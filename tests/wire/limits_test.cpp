// Every Limits field is enforced on both sides: at the limit a message is accepted by
// check_limits and decodes; one past it, check_limits and the decoder both say too_large.

#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "dynamo/wire/frame.hpp"

namespace dynamo::wire {
namespace {

const Limits small{.max_frame = 4096,
                   .max_key = 8,
                   .max_value = 16,
                   .max_siblings = 3,
                   .max_clock_entries = 2,
                   .max_context = 8,
                   .max_name = 5,
                   .max_members = 4};

// n mutually concurrent versions, each with a value of value_size bytes and a past of
// past_entries entries from actors no version writes as.
Siblings versions(std::size_t n, std::size_t value_size = 1, std::size_t past_entries = 0) {
  Siblings s;
  for (std::uint64_t i = 0; i < n; ++i) {
    Versioned v{{ActorId{i + 1}, 1}, 0, {}, std::string(value_size, 'v'), false};
    for (std::uint64_t e = 0; e < past_entries; ++e) v.past.witness(ActorId{100 + e}, 1, 0);
    s.add(std::move(v));
  }
  return s;
}

// A ring reply of n members named m0, m1, ...; `edit` adjusts the first.
RingReply ring_reply(std::size_t n, const std::function<void(ring::Member&)>& edit = {}) {
  RingReply reply{7, {}, 3, {}, 0, {}, {}};
  for (std::size_t i = 0; i < n; ++i) {
    reply.members.push_back({"m" + std::to_string(i), "z", 1, {static_cast<std::uint32_t>(i)}});
  }
  if (edit && !reply.members.empty()) edit(reply.members.front());
  return reply;
}

struct Bound {
  const char* what;
  std::size_t limit;
  std::function<Message(std::size_t)> with_size;
};

const Bound bounds[] = {
    {"key", small.max_key, [](std::size_t n) { return ReplicaRead{1, std::string(n, 'k')}; }},
    {"client value", small.max_value,
     [](std::size_t n) { return ClientPut{0, "k", "", std::string(n, 'v'), 0, false}; }},
    {"context", small.max_context,
     [](std::size_t n) { return ClientRemove{0, "k", std::string(n, 'c'), 0, false}; }},
    {"cluster name", small.max_name,
     [](std::size_t n) { return Hello{1, std::string(n, 'n'), "node", {}, "keep"}; }},
    {"resolver name", small.max_name,
     [](std::size_t n) { return Hello{1, "c", "node", {}, std::string(n, 'n')}; }},
    {"hint owner", small.max_name,
     [](std::size_t n) { return HintedWrite{0, "k", std::string(n, 'o'), {}}; }},
    {"error text", small.max_name,
     [](std::size_t n) { return Error{0, 0, std::string(n, 'e')}; }},
    {"tombstone check key", small.max_key,
     [](std::size_t n) { return TombstoneCheck{0, std::string(n, 'k')}; }},
    {"purge key", small.max_key,
     [](std::size_t n) { return Purge{0, std::string(n, 'k'), versions(1)}; }},
    {"member count", small.max_members, [](std::size_t n) { return ring_reply(n); }},
    {"member name", small.max_name,
     [](std::size_t n) {
       return ring_reply(2, [n](ring::Member& m) { m.name = std::string(n, 'n'); });
     }},
    {"member zone", small.max_name,
     [](std::size_t n) {
       return ring_reply(2, [n](ring::Member& m) { m.zone = std::string(n, 'z'); });
     }},
    {"sibling count", small.max_siblings,
     [](std::size_t n) { return ReplicaWrite{0, "k", versions(n)}; }},
    {"version value", small.max_value,
     [](std::size_t n) { return ClientGetReply{0, {}, versions(1, n)}; }},
    {"past clock", small.max_clock_entries,
     [](std::size_t n) { return ReplicaReadReply{0, {}, versions(2, 1, n)}; }},
    {"tombstone reply siblings", small.max_siblings,
     [](std::size_t n) { return TombstoneCheckReply{0, versions(n), true}; }},
    {"purge expected siblings", small.max_siblings,
     [](std::size_t n) { return Purge{0, "k", versions(n)}; }},
};

TEST_CASE("each limit accepts its bound and rejects one past it", "[wire][limits]") {
  for (const Bound& b : bounds) {
    INFO(b.what);
    const Message at = b.with_size(b.limit);
    Message out;
    CHECK_FALSE(check_limits(at, small));
    CHECK_FALSE(decode_frame(encode_frame(at), small, out));
    CHECK(out == at);

    const Message over = b.with_size(b.limit + 1);
    CHECK(check_limits(over, small) == errc::too_large);
    CHECK(decode_frame(encode_frame(over), small, out) == errc::too_large);
    CHECK_FALSE(decode_frame(encode_frame(over), Limits{}, out));
  }
}

TEST_CASE("a member's partitions are bounded by the protocol's partition limit",
          "[wire][limits]") {
  // Not a configurable limit: a longer list is one no valid ring has, so it is malformed under
  // any limits, as a u32 field holding 2^32 is.
  const auto with_partitions = [](std::size_t n) {
    return ring_reply(2, [n](ring::Member& m) {
      m.partitions.resize(n);
      for (std::size_t i = 0; i < n; ++i) m.partitions[i] = static_cast<std::uint32_t>(i);
    });
  };
  const Limits limits;
  const Message at = with_partitions(ring::RingParams::max_partitions);
  Message out;
  CHECK_FALSE(check_limits(at, limits));
  CHECK_FALSE(decode_frame(encode_frame(at), limits, out));
  CHECK(out == at);

  const Message over = with_partitions(ring::RingParams::max_partitions + 1);
  CHECK(check_limits(over, limits) == errc::malformed_frame);
  CHECK(decode_frame(encode_frame(over), limits, out) == errc::malformed_frame);
}

TEST_CASE("the frame limit covers the whole encoded frame", "[wire][limits]") {
  // Three 16-byte values are each within max_value, but not together within max_frame.
  const Message m = ReplicaWrite{1, "k", versions(3, 16)};
  const std::size_t size = encoded_frame_size(m);
  Limits tight = small;
  tight.max_frame = size;
  CHECK_FALSE(check_limits(m, tight));
  Message out;
  CHECK_FALSE(decode_frame(encode_frame(m), tight, out));

  tight.max_frame = size - 1;
  CHECK(check_limits(m, tight) == errc::too_large);
  CHECK(decode_frame(encode_frame(m), tight, out) == errc::too_large);
  const std::string frame = encode_frame(m);
  CHECK(decode_body(MessageType::replica_write, std::string_view(frame).substr(frame_header_size),
                    tight, out) == errc::too_large);
}

TEST_CASE("check_limits reports versions the decoder would refuse", "[wire][limits]") {
  Siblings zero_dot;
  Versioned zero;
  zero.dot = {ActorId{1}, 0};
  zero_dot.add(zero);
  Siblings own_past;
  Versioned v;
  v.dot = {ActorId{1}, 2};
  v.past.witness(ActorId{1}, 2, 0);
  own_past.add(v);
  for (const Siblings& s : {zero_dot, own_past}) {
    const Message m = ReplicaWrite{0, "k", s};
    INFO(m);
    CHECK(check_limits(m, Limits{}) == errc::malformed_frame);
    Message out;
    CHECK(decode_frame(encode_frame(m), Limits{}, out) == errc::malformed_frame);
  }
}

TEST_CASE("default limits are the documented ones", "[wire][limits]") {
  const Limits d;
  CHECK(d.max_frame == 64u << 20);
  CHECK(d.max_key == 64u << 10);
  CHECK(d.max_value == 16u << 20);
  CHECK(d.max_siblings == 128);
  CHECK(d.max_clock_entries == 64);
  CHECK(d.max_context == 8u << 10);
  CHECK(d.max_name == 1u << 10);
  CHECK(d.max_members == 1024);
}

}  // namespace
}  // namespace dynamo::wire
