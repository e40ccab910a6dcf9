// Property: every valid message survives encode then decode unchanged, through the whole-frame
// and the header-then-body paths, and the sibling codec does the same on its own.

#include <catch2/catch.hpp>

#include <sstream>

#include "dynamo/wire/frame.hpp"
#include "dynamo/wire/value_codec.hpp"
#include "wire/random_messages.hpp"

namespace dynamo::wire {
namespace {

using testing::all_message_types;
using testing::MessageGenerator;

constexpr int cases_per_type = 60;

TEST_CASE("every message type round-trips through a frame", "[wire][property]") {
  const Limits limits;
  for (const MessageType type : all_message_types) {
    for (int i = 0; i < cases_per_type; ++i) {
      const auto seed = static_cast<std::uint64_t>(i) * 131 + static_cast<std::uint64_t>(type);
      MessageGenerator gen(seed);
      const Message m = gen.of(type);
      INFO("seed " << seed << ": " << m);
      REQUIRE(message_type(m) == type);
      REQUIRE_FALSE(check_limits(m, limits));

      const std::string frame = encode_frame(m);
      REQUIRE(frame.size() == encoded_frame_size(m));
      Message whole;
      REQUIRE_FALSE(decode_frame(frame, limits, whole));
      REQUIRE(whole == m);

      FrameHeader header;
      REQUIRE_FALSE(parse_frame_header(frame, limits, header));
      REQUIRE(header.type == type);
      REQUIRE(header.body_length == frame.size() - frame_header_size);
      Message from_body;
      REQUIRE_FALSE(decode_body(header.type, std::string_view(frame).substr(frame_header_size),
                                limits, from_body));
      REQUIRE(from_body == m);
    }
  }
}

TEST_CASE("encoding is a function of the message", "[wire][property]") {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    MessageGenerator a(seed);
    MessageGenerator b(seed);
    const Message m = a.any();
    REQUIRE(encode_frame(m) == encode_frame(b.any()));
    Message decoded;
    REQUIRE_FALSE(decode_frame(encode_frame(m), Limits{}, decoded));
    REQUIRE(encode_frame(decoded) == encode_frame(m));
  }
}

TEST_CASE("a ClientGet has the documented bytes", "[wire]") {
  const ClientGet get{.request_id = 300, .key = "k", .r = 2, .strict = true};
  using namespace std::string_literals;
  const std::string expected = "DY\x05\x10\x00\x00\x00\x06"s  // magic, version, type, length
                               "\xac\x02"                      // request_id 300 as a varint
                               "\x01k"                         // key
                               "\x02"                          // r
                               "\x01"s;                        // strict
  REQUIRE(encode_frame(get) == expected);
}

TEST_CASE("a RingReply has the documented bytes", "[wire]") {
  const RingReply reply{.request_id = 7,
                        .ring = {ring::HashKind::md5, 300},
                        .replicas = 3,
                        .members = {{"a", "z", 2, {1, 200}}, {"b", "", 1, {}}},
                        .epoch = 9,
                        .next = {},
                        .addresses = {{"a", "h:1"}},
                        .read_quorum = 2};
  using namespace std::string_literals;
  const std::string expected = "DY\x05\x04\x00\x00\x00\x1e"s  // magic, version, type, length
                               "\x07"                         // request_id
                               "\x02\xac\x02"                 // ring: md5, 300 partitions
                               "\x03"                         // replicas
                               "\x02"                         // two members
                               "\x01" "a" "\x01" "z" "\x02"     // name, zone, weight
                               "\x02\x01\xc8\x01"             // partitions 1 and 200
                               "\x01" "b" "\x00" "\x01" "\x00"  // empty zone, no partitions
                               "\x09"                         // epoch
                               "\x00"                         // no next layout
                               "\x01" "\x01" "a" "\x03" "h:1"  // one address
                               "\x02"s;                       // read_quorum
  REQUIRE(encode_frame(reply) == expected);
}

TEST_CASE("sibling sets round-trip through the value codec", "[wire][property]") {
  const Limits limits;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    MessageGenerator gen(seed, 100, 12);
    const Siblings s = gen.siblings();
    INFO("seed " << seed << ": " << s);
    REQUIRE_FALSE(check_siblings(s, limits));
    const std::string bytes = encode_siblings(s);
    SizeCounter counter;
    encode_siblings(counter, s);
    REQUIRE(counter.size() == bytes.size());
    Siblings decoded;
    REQUIRE_FALSE(decode_siblings(bytes, limits, decoded));
    REQUIRE(decoded == s);
  }
}

TEST_CASE("the generator produces concurrent siblings and tombstones", "[wire][property]") {
  // Guards the property tests above against silently testing only trivial sets.
  std::size_t most = 0;
  bool tombstone = false;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    MessageGenerator gen(seed, 100, 12);
    const Siblings s = gen.siblings();
    most = std::max(most, s.size());
    for (const Versioned& v : s.versions()) tombstone |= v.tombstone;
  }
  REQUIRE(most >= 3);
  REQUIRE(tombstone);
}

TEST_CASE("the generator produces rings of several members with partitions", "[wire][property]") {
  // Guards the property tests above against testing only empty member and partition lists.
  std::size_t most_members = 0;
  std::size_t most_partitions = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    MessageGenerator gen(seed);
    const auto reply = std::get<RingReply>(gen.of(MessageType::ring_reply));
    most_members = std::max(most_members, reply.members.size());
    for (const ring::Member& m : reply.members) {
      most_partitions = std::max(most_partitions, m.partitions.size());
    }
  }
  REQUIRE(most_members >= 4);
  REQUIRE(most_partitions >= 10);
}

TEST_CASE("clocks round-trip and an empty clock is one byte", "[wire]") {
  VectorClock c;
  c.witness(ActorId{1}, 3, 1000);
  c.witness(ActorId{1ull << 63}, 1, ~0ull);
  std::string bytes;
  detail::ByteWriter w(bytes);
  encode_clock(w, c);
  encode_clock(w, VectorClock{});
  FieldReader r(bytes);
  VectorClock first;
  VectorClock second{c};
  REQUIRE(decode_clock(r, Limits{}, first));
  REQUIRE(decode_clock(r, Limits{}, second));
  REQUIRE_FALSE(r.finish());
  REQUIRE(first == c);
  REQUIRE(second.empty());
}

TEST_CASE("messages print their fields and shorten long bytes", "[wire]") {
  std::ostringstream os;
  os << Message{ClientPut{9, "a\"\x01", "", std::string(100, 'v'), 0, false}};
  const std::string text = os.str();
  CHECK(text.find("ClientPut{request_id=9, key=\"a\\\"\\x01\"") == 0);
  CHECK(text.find("...(100 bytes)") != std::string::npos);
  std::ostringstream type;
  type << MessageType::hinted_write << ' ' << MessageType::purge << ' '
       << static_cast<MessageType>(0x7f);
  CHECK(type.str() == "hinted_write purge type(127)");
}

TEST_CASE("ring replies print their members and shorten long lists", "[wire]") {
  ring::Member big{"b", "", 1, {}};
  for (std::uint32_t p = 0; p < 20; ++p) big.partitions.push_back(p);
  std::ostringstream os;
  os << Message{RingReply{1, {}, 3, {{"a\x01", "z", 2, {4, 5}}, big}, 0, {}, {}}};
  const std::string text = os.str();
  INFO(text);
  CHECK(text.find("RingReply{request_id=1, ring=") == 0);
  CHECK(text.find("replicas=3, members=[{name=\"a\\x01\", zone=\"z\", weight=2, "
                  "partitions=[4, 5]}, {name=\"b\"") != std::string::npos);
  CHECK(text.find("partitions=[0, 1, 2, 3, 4, 5, 6, 7, ...(20 items)]}], epoch=0") !=
        std::string::npos);
}

}  // namespace
}  // namespace dynamo::wire
