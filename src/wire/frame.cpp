#include "dynamo/wire/frame.hpp"

#include <limits>
#include <stdexcept>

#include "dynamo/detail/byte_reader.hpp"
#include "dynamo/detail/byte_writer.hpp"
#include "field_codecs.hpp"

namespace dynamo::wire {
namespace {

constexpr std::size_t max_body_length = std::numeric_limits<std::uint32_t>::max();

// True when a frame with this body would exceed the limits. Written to avoid overflow for any
// max_frame, including ones smaller than a header.
bool frame_too_large(std::size_t body_length, const Limits& limits) {
  return limits.max_frame < frame_header_size ||
         body_length > limits.max_frame - frame_header_size;
}

template <class T>
std::error_code decode_as(std::string_view body, const Limits& limits, Message& out) {
  T message;
  FieldReader reader(body);
  schema::FieldDecoder decoder(reader, limits);
  fields(decoder, message);
  if (const std::error_code ec = reader.finish()) return ec;
  out = std::move(message);
  return {};
}

template <ByteSink W>
void write_body(W& w, const Message& m) {
  schema::FieldWriter writer(w);
  std::visit([&](const auto& alt) { fields(writer, alt); }, m);
}

std::size_t body_size(const Message& m) {
  SizeCounter counter;
  write_body(counter, m);
  return counter.size();
}

}  // namespace

std::error_code parse_frame_header(std::string_view bytes, const Limits& limits,
                                   FrameHeader& out) {
  detail::ByteReader r(bytes);
  std::string_view magic;
  std::uint8_t version = 0;
  std::uint8_t type = 0;
  std::uint32_t length = 0;
  if (!r.read_raw(frame_magic.size(), magic) || !r.read_u8(version) || !r.read_u8(type) ||
      !r.read_u32_be(length) || magic != frame_magic || version != protocol_version) {
    return errc::malformed_frame;
  }
  if (frame_too_large(length, limits)) return errc::too_large;
  out = FrameHeader{static_cast<MessageType>(type), length};
  return {};
}

std::error_code decode_body(MessageType type, std::string_view body, const Limits& limits,
                            Message& out) {
  if (frame_too_large(body.size(), limits)) return errc::too_large;
  switch (type) {
    case MessageType::hello: return decode_as<Hello>(body, limits, out);
    case MessageType::error: return decode_as<Error>(body, limits, out);
    case MessageType::ring_request: return decode_as<RingRequest>(body, limits, out);
    case MessageType::ring_reply: return decode_as<RingReply>(body, limits, out);
    case MessageType::client_get: return decode_as<ClientGet>(body, limits, out);
    case MessageType::client_get_reply: return decode_as<ClientGetReply>(body, limits, out);
    case MessageType::client_put: return decode_as<ClientPut>(body, limits, out);
    case MessageType::client_remove: return decode_as<ClientRemove>(body, limits, out);
    case MessageType::client_write_reply: return decode_as<ClientWriteReply>(body, limits, out);
    case MessageType::replica_read: return decode_as<ReplicaRead>(body, limits, out);
    case MessageType::replica_read_reply: return decode_as<ReplicaReadReply>(body, limits, out);
    case MessageType::replica_write: return decode_as<ReplicaWrite>(body, limits, out);
    case MessageType::hinted_write: return decode_as<HintedWrite>(body, limits, out);
    case MessageType::replica_write_ack: return decode_as<ReplicaWriteAck>(body, limits, out);
    case MessageType::tombstone_check: return decode_as<TombstoneCheck>(body, limits, out);
    case MessageType::tombstone_check_reply:
      return decode_as<TombstoneCheckReply>(body, limits, out);
    case MessageType::purge: return decode_as<Purge>(body, limits, out);
    case MessageType::status_request: return decode_as<StatusRequest>(body, limits, out);
    case MessageType::status_reply: return decode_as<StatusReply>(body, limits, out);
    case MessageType::gossip: return decode_as<Gossip>(body, limits, out);
    case MessageType::gossip_reply: return decode_as<GossipReply>(body, limits, out);
    case MessageType::tree_compare: return decode_as<TreeCompare>(body, limits, out);
    case MessageType::tree_compare_reply: return decode_as<TreeCompareReply>(body, limits, out);
    case MessageType::leaf_sync: return decode_as<LeafSync>(body, limits, out);
    case MessageType::leaf_sync_reply: return decode_as<LeafSyncReply>(body, limits, out);
    case MessageType::membership_change: return decode_as<MembershipChange>(body, limits, out);
    case MessageType::membership_change_reply:
      return decode_as<MembershipChangeReply>(body, limits, out);
    case MessageType::partition_fetch: return decode_as<PartitionFetch>(body, limits, out);
    case MessageType::partition_chunk: return decode_as<PartitionChunk>(body, limits, out);
  }
  return errc::unknown_message;
}

std::error_code decode_frame(std::string_view frame, const Limits& limits, Message& out) {
  FrameHeader header;
  if (const std::error_code ec = parse_frame_header(frame, limits, header)) return ec;
  if (frame.size() - frame_header_size != header.body_length) return errc::malformed_frame;
  return decode_body(header.type, frame.substr(frame_header_size), limits, out);
}

std::string encode_frame(const Message& m) {
  const std::size_t length = body_size(m);
  if (length > max_body_length) throw std::length_error("dynamo::wire: frame body over 4 GiB");
  std::string out;
  out.reserve(frame_header_size + length);
  detail::ByteWriter w(out);
  w.put_raw(frame_magic);
  w.put_u8(protocol_version);
  w.put_u8(static_cast<std::uint8_t>(message_type(m)));
  w.put_u32_be(static_cast<std::uint32_t>(length));
  write_body(w, m);
  return out;
}

std::size_t encoded_frame_size(const Message& m) { return frame_header_size + body_size(m); }

std::error_code check_limits(const Message& m, const Limits& limits) {
  schema::LimitChecker checker(limits);
  std::visit([&](const auto& alt) { fields(checker, alt); }, m);
  if (checker.error()) return checker.error();
  const std::size_t length = body_size(m);
  if (length > max_body_length || frame_too_large(length, limits)) return errc::too_large;
  return {};
}

}  // namespace dynamo::wire
