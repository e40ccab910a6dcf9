// Hand-made hostile input: bad headers, forged lengths and counts, overlong varints, bad bools.
// Each case is built from a valid encoding with one thing wrong, so only that thing can fail it.

#include <catch2/catch.hpp>

#include "dynamo/detail/byte_writer.hpp"
#include "dynamo/wire/frame.hpp"

namespace dynamo::wire {
namespace {

using namespace std::string_literals;

std::string header(std::uint8_t type, std::uint32_t length) {
  std::string out;
  detail::ByteWriter w(out);
  w.put_raw(frame_magic);
  w.put_u8(protocol_version);
  w.put_u8(type);
  w.put_u32_be(length);
  return out;
}

std::string frame_of(MessageType type, const std::string& body) {
  return header(static_cast<std::uint8_t>(type), static_cast<std::uint32_t>(body.size())) + body;
}

std::error_code decode(const std::string& frame, const Limits& limits = {}) {
  Message out;
  return decode_frame(frame, limits, out);
}

TEST_CASE("the header is checked before the body", "[wire][crafted]") {
  const std::string good = encode_frame(ReplicaRead{1, "k"});
  REQUIRE_FALSE(decode(good));

  std::string bad_magic = good;
  bad_magic[1] = 'Z';
  CHECK(decode(bad_magic) == errc::malformed_frame);
  std::string bad_version = good;
  bad_version[2] = static_cast<char>(protocol_version + 1);
  CHECK(decode(bad_version) == errc::malformed_frame);
  std::string long_length = good;
  long_length[7] = static_cast<char>(long_length[7] + 1);
  CHECK(decode(long_length) == errc::malformed_frame);

  FrameHeader h;
  CHECK(parse_frame_header(good.substr(0, frame_header_size - 1), Limits{}, h) ==
        errc::malformed_frame);
}

TEST_CASE("a header claiming 4 GiB is too large before any body arrives", "[wire][crafted]") {
  FrameHeader h;
  const std::string huge = header(static_cast<std::uint8_t>(MessageType::replica_write), ~0u);
  CHECK(parse_frame_header(huge, Limits{}, h) == errc::too_large);
  CHECK(decode(huge) == errc::too_large);

  Limits small;
  small.max_frame = 100;
  CHECK_FALSE(parse_frame_header(header(0x20, 92), small, h));
  CHECK(parse_frame_header(header(0x20, 93), small, h) == errc::too_large);
  small.max_frame = 3;  // smaller than a header: nothing fits
  CHECK(parse_frame_header(header(0x20, 0), small, h) == errc::too_large);
}

TEST_CASE("a forged byte length is rejected before it is trusted", "[wire][crafted]") {
  // ReplicaRead{request_id = 1, key of claimed length L, epoch 0} with two real key bytes.
  const auto read_with_key_length = [](std::uint64_t claimed) {
    std::string body;
    detail::ByteWriter w(body);
    w.put_varint(1);
    w.put_varint(claimed);
    w.put_raw("ab");
    w.put_varint(0);
    return frame_of(MessageType::replica_read, body);
  };
  CHECK_FALSE(decode(read_with_key_length(2)));
  CHECK(decode(read_with_key_length(3)) == errc::malformed_frame);        // past the end
  CHECK(decode(read_with_key_length(1)) == errc::malformed_frame);        // trailing byte
  CHECK(decode(read_with_key_length(Limits{}.max_key + 1)) == errc::too_large);
  CHECK(decode(read_with_key_length(~0ull)) == errc::too_large);
}

TEST_CASE("a forged sibling or clock count is rejected before allocating", "[wire][crafted]") {
  const auto write_with = [](std::uint64_t siblings, std::uint64_t clock_entries) {
    std::string body;
    detail::ByteWriter w(body);
    w.put_varint(1);     // request_id
    w.put_bytes("k");    // key
    w.put_varint(siblings);
    w.put_varint(7);     // dot actor
    w.put_varint(1);     // dot counter
    w.put_varint(0);     // timestamp
    w.put_varint(clock_entries);
    w.put_raw("\x00\x00"s);  // tombstone = false, empty value
    return frame_of(MessageType::replica_write, body);
  };
  CHECK_FALSE(decode(write_with(1, 0)));
  CHECK(decode(write_with(2, 0)) == errc::malformed_frame);   // the second version is missing
  CHECK(decode(write_with(128, 0)) == errc::malformed_frame); // within the limit, not the bytes
  CHECK(decode(write_with(129, 0)) == errc::too_large);
  CHECK(decode(write_with(~0ull, 0)) == errc::too_large);
  CHECK(decode(write_with(1, 1)) == errc::malformed_frame);
  CHECK(decode(write_with(1, 64)) == errc::malformed_frame);
  CHECK(decode(write_with(1, 65)) == errc::too_large);
  CHECK(decode(write_with(1, 1ull << 40)) == errc::too_large);
}

TEST_CASE("a forged member or partition count is rejected before allocating",
          "[wire][crafted]") {
  // RingReply with `members` claimed and one real member "a" claiming `partitions` with one real
  // partition, 5.
  const auto reply_with = [](std::uint64_t members, std::uint64_t partitions) {
    std::string body;
    detail::ByteWriter w(body);
    w.put_varint(1);  // request_id
    w.put_u8(1);      // ring hash
    w.put_varint(8);  // ring partitions
    w.put_varint(3);  // replicas
    w.put_varint(members);
    w.put_bytes("a");  // name
    w.put_bytes("");   // zone
    w.put_varint(1);   // weight
    w.put_varint(partitions);
    w.put_varint(5);
    w.put_varint(7);  // epoch
    w.put_varint(0);  // no next layout
    w.put_varint(0);  // no addresses
    w.put_u8(0);      // read_quorum
    return frame_of(MessageType::ring_reply, body);
  };
  Message out;
  REQUIRE_FALSE(decode_frame(reply_with(1, 1), Limits{}, out));
  CHECK(out == Message{RingReply{1, {ring::HashKind::xxh3_128, 8}, 3, {{"a", "", 1, {5}}}, 7,
                                 {}, {}}});
  CHECK(decode(reply_with(0, 1)) == errc::malformed_frame);     // trailing member bytes
  CHECK(decode(reply_with(2, 1)) == errc::malformed_frame);     // the second member is missing
  CHECK(decode(reply_with(1024, 1)) == errc::malformed_frame);  // within the limit, not the bytes
  CHECK(decode(reply_with(1025, 1)) == errc::too_large);
  CHECK(decode(reply_with(~0ull, 1)) == errc::too_large);
  CHECK(decode(reply_with(1, 0)) == errc::malformed_frame);     // a trailing partition
  CHECK(decode(reply_with(1, 2)) == errc::malformed_frame);     // the second partition is missing
  CHECK(decode(reply_with(1, 65536)) == errc::malformed_frame);
  CHECK(decode(reply_with(1, 65537)) == errc::malformed_frame);  // over the protocol's bound
  CHECK(decode(reply_with(1, ~0ull)) == errc::malformed_frame);
}

TEST_CASE("varints that overflow their field are malformed", "[wire][crafted]") {
  const auto ack = [](const std::string& request_id, const std::string& code) {
    return frame_of(MessageType::replica_write_ack, request_id + code + "\x00\x00"s);
  };
  const std::string max_u64 = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  CHECK_FALSE(decode(ack(max_u64, "\x00"s)));
  CHECK(decode(ack("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", "\x00"s)) == errc::malformed_frame);
  CHECK(decode(ack("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x00", "\x00"s)) ==
        errc::malformed_frame);  // an eleventh byte
  CHECK(decode(frame_of(MessageType::replica_write_ack, "\x80")) == errc::malformed_frame);

  CHECK_FALSE(decode(ack("\x01", "\xff\xff\xff\xff\x0f")));  // 2^32 - 1 fits a u32
  CHECK(decode(ack("\x01", "\x80\x80\x80\x80\x10")) == errc::malformed_frame);  // 2^32 does not
}

TEST_CASE("bools other than 0 and 1 are malformed", "[wire][crafted]") {
  const auto get = [](char strict) {
    return frame_of(MessageType::client_get, "\x05\x01k\x00"s + strict);
  };
  CHECK_FALSE(decode(get('\x00')));
  CHECK_FALSE(decode(get('\x01')));
  CHECK(decode(get('\x02')) == errc::malformed_frame);
  CHECK(decode(get('\xff')) == errc::malformed_frame);
}

}  // namespace
}  // namespace dynamo::wire
