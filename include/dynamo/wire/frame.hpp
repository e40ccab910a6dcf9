#pragma once
// Frames: how messages travel on a byte stream.
//
//   frame  = header body
//   header = "DY" (2 bytes), protocol version (1 byte, = 2), message type (1 byte),
//            body length (u32 big-endian)
//
// A body holds the message's fields in declaration order (messages.hpp), nested structs
// (Status, ring::RingParams) field by field: uint8_t and enums one byte, bools one byte (0 or 1),
// other integers LEB128 varints (a u32 field's no larger than 2^32 - 1), byte strings a varint
// length and the bytes, sibling sets value_codec.hpp's encoding, lists (a RingReply's members,
// a member's partitions) a varint count and then each element, a ring::Member field by field.
//
// Decoding is total: any byte string decodes or yields an error, no length or count is believed
// before it is checked against its limit and against the bytes that remain, and no allocation is
// larger than the input justifies. Errors: errc::too_large for a length or count above a Limits
// field; errc::unknown_message for a type this build does not know; errc::malformed_frame for
// anything else (bad magic or version, truncation, trailing bytes, a bool other than 0 or 1,
// an unsorted clock, a non-canonical sibling set, a member with more partitions than
// ring::RingParams::max_partitions).
//
// A stream transport reads frame_header_size bytes, calls parse_frame_header, reads
// body_length more bytes (already known to be within limits), then calls decode_body.
//
// Thread safety: every function here is pure; any may be called concurrently.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "dynamo/errc.hpp"
#include "dynamo/wire/limits.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo::wire {

inline constexpr std::string_view frame_magic = "DY";
// 4: StatusReply carries writes_in_flight; contexts are bound to their key (format 2); clients
// say Hello as "<name>#<hex>". 5: StatusRequest may ask for the node's metrics, StatusReply
// carries them.
inline constexpr std::uint8_t protocol_version = 5;
inline constexpr std::size_t frame_header_size = 8;

struct FrameHeader {
  MessageType type{};  // not checked against the known types: see parse_frame_header
  std::uint32_t body_length = 0;
  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

// Parses the first frame_header_size bytes of `bytes`. Fails with malformed_frame on fewer bytes,
// a wrong magic or version, and with too_large when the whole frame would exceed
// limits.max_frame. The type is left unchecked so a transport can skip a body it cannot decode;
// decode_body reports unknown_message for it.
std::error_code parse_frame_header(std::string_view bytes, const Limits& limits,
                                   FrameHeader& out);

// Decodes a message body of the given type. `out` is assigned only on success.
std::error_code decode_body(MessageType type, std::string_view body, const Limits& limits,
                            Message& out);

// Decodes exactly one whole frame, header included; any byte after the body is malformed.
// `out` is assigned only on success.
std::error_code decode_frame(std::string_view frame, const Limits& limits, Message& out);

// The frame for `m`. REQUIRES: check_limits(m, limits) succeeds for the receiver's limits, or
// the receiver will reject the frame; throws std::length_error if the body exceeds 4 GiB - 1.
std::string encode_frame(const Message& m);

// The number of bytes encode_frame(m) returns, computed without encoding.
std::size_t encoded_frame_size(const Message& m);

// What decoding encode_frame(m) under `limits` would report, checked before sending: too_large
// for a field, sibling set, member list or the whole frame over its limit; malformed_frame for a
// version or partition list the decoder would reject. On success decode_frame(encode_frame(m), limits) yields m.
std::error_code check_limits(const Message& m, const Limits& limits);

}  // namespace dynamo::wire
