#include "storage/log_record.hpp"

#include <xxhash.h>

#include <cassert>
#include <cstring>

#include "dynamo/detail/byte_writer.hpp"

namespace dynamo::storage {

void put_le(std::string& out, std::uint64_t v, int bytes) {
  assert(bytes >= 1 && bytes <= 8 && (bytes == 8 || v >> (8 * bytes) == 0));  // v fits
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int n) {
  assert(n >= 1 && n <= 8 && at <= bytes.size() && bytes.size() - at >= static_cast<std::size_t>(n));
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    v |= std::uint64_t{static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)])}
         << (8 * i);
  }
  return v;
}

namespace {

constexpr char magic[4] = {'D', 'L', 'R', '1'};

void set_le(std::string& out, std::size_t at, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

// A bounds-checked reader over a record body.
struct BodyReader {
  std::string_view bytes;
  std::size_t at = 0;
  bool ok = true;

  std::uint64_t fixed(int n) {
    if (bytes.size() - at < static_cast<std::size_t>(n)) return fail();
    const auto v = get_le(bytes, at, n);
    at += static_cast<std::size_t>(n);
    return v;
  }
  std::string_view text() {
    std::uint64_t len = 0;
    for (int shift = 0;; shift += 7) {
      if (at >= bytes.size() || shift > 63) return fail(), std::string_view{};
      const auto b = static_cast<unsigned char>(bytes[at++]);
      len |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) break;
    }
    if (len > bytes.size() - at) return fail(), std::string_view{};
    const auto out = bytes.substr(at, static_cast<std::size_t>(len));
    at += static_cast<std::size_t>(len);
    return out;
  }
  std::uint64_t fail() {
    ok = false;
    at = bytes.size();
    return 0;
  }
};

}  // namespace

void append_fields(std::string& out, const Record& r) {
  detail::ByteWriter w(out);
  w.put_u8(static_cast<std::uint8_t>(r.kind));
  put_le(out, r.seq, 8);
  if (is_key(r.kind)) {
    put_le(out, r.pos.hi, 8);
    put_le(out, r.pos.lo, 8);
  }
  w.put_bytes(r.key);
  if (is_hint(r.kind)) w.put_bytes(r.owner);
}

bool parse_fields(std::string_view bytes, std::size_t& at, Record& out) {
  BodyReader r{bytes, at};
  const auto kind = r.fixed(1);
  if (kind < 1 || kind > 6) return false;
  out.kind = static_cast<RecordKind>(kind);
  out.seq = r.fixed(8);
  out.pos = {};
  if (is_key(out.kind)) {
    out.pos.hi = r.fixed(8);
    out.pos.lo = r.fixed(8);
  }
  out.key = r.text();
  out.owner = is_hint(out.kind) ? r.text() : std::string_view{};
  at = r.at;
  return r.ok;
}

void append_record(std::string& out, const Record& r) {
  const std::size_t start = out.size();
  out.append(magic, sizeof magic);
  put_le(out, 0, 8);  // checksum, filled in below
  put_le(out, 0, 4);  // body length, filled in below
  const std::size_t body = out.size();
  append_fields(out, r);
  out.append(r.value);
  const auto length = out.size() - body;
  assert(length <= 0xffffffffu);  // the body length field has 4 bytes
  set_le(out, body - 4, length, 4);
  set_le(out, start + 4, XXH3_64bits(out.data() + body - 4, length + 4), 8);
}

ParseResult parse_record(std::string_view bytes, Record& out, std::size_t& size) {
  if (bytes.size() < sizeof magic) return ParseResult::truncated;
  if (std::memcmp(bytes.data(), magic, sizeof magic) != 0) return ParseResult::damaged;
  if (bytes.size() < record_header_bytes) return ParseResult::truncated;
  const auto sum = get_le(bytes, 4, 8);
  const auto length = static_cast<std::uint32_t>(get_le(bytes, 12, 4));
  if (length > max_record_body || length < 10) return ParseResult::damaged;
  if (bytes.size() - record_header_bytes < length) return ParseResult::truncated;
  if (XXH3_64bits(bytes.data() + 12, std::size_t{length} + 4) != sum) return ParseResult::damaged;
  const auto body = bytes.substr(record_header_bytes, length);
  std::size_t at = 0;
  if (!parse_fields(body, at, out)) return ParseResult::damaged;
  out.value = body.substr(at);
  if (is_erase(out.kind) && !out.value.empty()) return ParseResult::damaged;
  size = record_header_bytes + length;
  return ParseResult::ok;
}

std::size_t find_next_magic(std::string_view bytes, std::size_t from) {
  const auto at = bytes.find(std::string_view(magic, sizeof magic), from);
  return at == std::string_view::npos ? bytes.size() : at;
}

}  // namespace dynamo::storage
