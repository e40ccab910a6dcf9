// Decoding is total: truncated, corrupted and random input yields an error code or a message,
// never a crash, and whatever decodes is canonical.

#include <catch2/catch.hpp>

#include "dynamo/wire/frame.hpp"
#include "wire/random_messages.hpp"

namespace dynamo::wire {
namespace {

using testing::MessageGenerator;

// A message that decoded from arbitrary bytes must survive re-encoding unchanged.
void require_canonical(const Message& m) {
  INFO(m);
  REQUIRE_FALSE(check_limits(m, Limits{}));
  Message again;
  REQUIRE_FALSE(decode_frame(encode_frame(m), Limits{}, again));
  REQUIRE(again == m);
}

TEST_CASE("every strict prefix of a valid frame fails to decode", "[wire][robustness]") {
  const Limits limits;
  for (std::uint64_t seed = 0; seed < 150; ++seed) {
    MessageGenerator gen(seed, 40);
    const Message m = gen.any();
    const std::string frame = encode_frame(m);
    const std::string_view body = std::string_view(frame).substr(frame_header_size);
    INFO("seed " << seed << ": " << m);
    for (std::size_t len = 0; len < frame.size(); ++len) {
      Message out;
      REQUIRE(decode_frame(frame.substr(0, len), limits, out) == errc::malformed_frame);
    }
    // Without the header's length to catch it, the body itself must be prefix-free.
    for (std::size_t len = 0; len < body.size(); ++len) {
      Message out;
      REQUIRE(decode_body(message_type(m), body.substr(0, len), limits, out) ==
              errc::malformed_frame);
    }
  }
}

TEST_CASE("a frame with bytes after its body is malformed", "[wire][robustness]") {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    MessageGenerator gen(seed, 40);
    const Message m = gen.any();
    const std::string frame = encode_frame(m);
    Message out;
    REQUIRE(decode_frame(frame + '\0', Limits{}, out) == errc::malformed_frame);
    const std::string body = frame.substr(frame_header_size) + 'x';
    REQUIRE(decode_body(message_type(m), body, Limits{}, out) == errc::malformed_frame);
  }
}

TEST_CASE("random byte flips decode or fail, never crash", "[wire][robustness]") {
  std::size_t decoded = 0;
  std::size_t failed = 0;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    MessageGenerator gen(seed, 60);
    std::string frame = encode_frame(gen.any());
    for (std::uint64_t flips = 1 + gen.below(3); flips > 0; --flips) {
      // Leave the header alone half the time so the body decoder sees most of the damage.
      const std::size_t from = gen.below(2) ? frame_header_size : 0;
      const std::size_t at = from + gen.below(frame.size() - from);
      frame[at] = static_cast<char>(frame[at] ^ (1 + gen.below(255)));
    }
    Message out;
    if (decode_frame(frame, Limits{}, out)) {
      ++failed;
    } else {
      ++decoded;
      require_canonical(out);
    }
  }
  // Both outcomes must occur, or the test is not exercising what it claims to.
  CHECK(decoded > 20);
  CHECK(failed > 20);
}

TEST_CASE("random bodies of every type decode or fail", "[wire][robustness]") {
  // Bytes are mostly 0-3, so lengths, counts and bools are often plausible and some bodies decode.
  MessageGenerator gen(7);
  std::size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body(gen.below(24), '\0');
    for (char& c : body) c = static_cast<char>(gen.below(4) ? gen.below(4) : gen.below(256));
    const auto type = testing::all_message_types[gen.below(std::size(testing::all_message_types))];
    Message out;
    if (!decode_body(type, body, Limits{}, out)) {
      ++decoded;
      require_canonical(out);
    }
  }
  CHECK(decoded > 100);
}

TEST_CASE("type bytes outside the defined set are unknown messages", "[wire][robustness]") {
  std::size_t known = 0;
  for (unsigned t = 0; t < 256; ++t) {
    const auto type = static_cast<MessageType>(t);
    const bool defined = std::ranges::find(testing::all_message_types, type) !=
                         std::end(testing::all_message_types);
    Message out;
    const std::error_code ec = decode_body(type, "", Limits{}, out);
    INFO("type " << t);
    if (defined) {
      ++known;
      CHECK(ec != errc::unknown_message);
    } else {
      CHECK(ec == errc::unknown_message);
    }
  }
  CHECK(known == std::size(testing::all_message_types));
}

TEST_CASE("an unknown type passes the header so a transport can skip it", "[wire][robustness]") {
  std::string frame("DY\x00\x4a\x00\x00\x00\x02zz", 10);
  frame[2] = static_cast<char>(protocol_version);
  FrameHeader header;
  REQUIRE_FALSE(parse_frame_header(frame, Limits{}, header));
  CHECK(header == FrameHeader{static_cast<MessageType>(0x4a), 2});
  Message out;
  CHECK(decode_frame(frame, Limits{}, out) == errc::unknown_message);
}

}  // namespace
}  // namespace dynamo::wire
