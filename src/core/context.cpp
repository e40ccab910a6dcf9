#include "dynamo/core/context.hpp"

#include <xxhash.h>

#include "dynamo/detail/byte_reader.hpp"
#include "dynamo/detail/byte_writer.hpp"
#include "dynamo/errc.hpp"

namespace dynamo {
namespace {

constexpr std::string_view magic = "DC";
constexpr std::size_t checksum_bytes = 4;

std::uint32_t checksum(std::string_view bytes) {
  return static_cast<std::uint32_t>(XXH3_64bits(bytes.data(), bytes.size()));
}

// The key a context is bound to, as its token records it. Seeded, so that it is not the value
// of any other hash of the key dynamo computes.
std::uint64_t context_key_hash(std::string_view key) {
  constexpr XXH64_hash_t seed = 0x64796e616d6f4b43ULL;  // "dynamoKC"
  return XXH3_64bits_withSeed(key.data(), key.size(), seed);
}

constexpr unsigned char unbound_version = 1;  // format 1: no key in the token

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Context::Context(VectorClock clock, std::string_view key)
    : clock_(std::move(clock)), key_hash_(context_key_hash(key)) {}

std::error_code Context::check_key(std::string_view key) const {
  if (key_hash_ && *key_hash_ != context_key_hash(key)) return make_error_code(errc::bad_context);
  return {};
}

std::string Context::encode() const {
  std::string out;
  detail::ByteWriter w(out);
  w.put_raw(magic);
  w.put_u8(format_version);
  w.put_bool(key_hash_.has_value());
  if (key_hash_) {
    w.put_u32_be(static_cast<std::uint32_t>(*key_hash_ >> 32));
    w.put_u32_be(static_cast<std::uint32_t>(*key_hash_));
  }
  w.put_varint(clock_.size());
  for (const ClockEntry& e : clock_.entries()) {
    w.put_varint(e.actor.value);
    w.put_varint(e.counter);
    w.put_varint(e.timestamp);
  }
  w.put_u32_be(checksum(out));
  return out;
}

Context Context::decode(std::string_view bytes, std::error_code& ec) {
  ec = make_error_code(errc::bad_context);
  if (bytes.size() < magic.size() + 2 + checksum_bytes) return {};
  const std::string_view body = bytes.substr(0, bytes.size() - checksum_bytes);
  detail::ByteReader trailer(bytes.substr(body.size()));
  std::uint32_t sum = 0;
  if (!trailer.read_u32_be(sum) || sum != checksum(body)) return {};

  detail::ByteReader r(body);
  std::string_view head;
  std::uint8_t version = 0;
  if (!r.read_raw(magic.size(), head) || head != magic || !r.read_u8(version) ||
      (version != format_version && version != unbound_version)) {
    return {};
  }
  std::optional<std::uint64_t> bound_to;
  bool bound = false;
  if (version == format_version && !r.read_bool(bound)) return {};
  if (bound) {
    std::uint32_t hi = 0;
    std::uint32_t lo = 0;
    if (!r.read_u32_be(hi) || !r.read_u32_be(lo)) return {};
    bound_to = (std::uint64_t{hi} << 32) | lo;
  }
  std::size_t count = 0;
  if (!r.read_count(max_entries, 3, count)) return {};
  VectorClock::Entries entries(count);
  for (ClockEntry& e : entries) {
    r.read_varint(e.actor.value);
    r.read_varint(e.counter);
    r.read_varint(e.timestamp);
  }
  if (!r.at_end()) return {};
  auto clock = VectorClock::from_sorted({entries.data(), entries.size()});
  if (!clock) return {};
  ec.clear();
  Context context(std::move(*clock));
  context.key_hash_ = bound_to;
  return context;
}

std::string Context::to_text() const {
  static constexpr char digits[] = "0123456789abcdef";
  const std::string bytes = encode();
  std::string text;
  text.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    text.push_back(digits[c >> 4]);
    text.push_back(digits[c & 0xf]);
  }
  return text;
}

Context Context::from_text(std::string_view text, std::error_code& ec) {
  ec = make_error_code(errc::bad_context);
  if (text.size() % 2 != 0) return {};
  std::string bytes(text.size() / 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int hi = hex_digit(text[2 * i]);
    const int lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return {};
    bytes[i] = static_cast<char>(hi * 16 + lo);
  }
  return decode(bytes, ec);
}

}  // namespace dynamo
