#include "storage/log_index.hpp"

#include <xxhash.h>

#include <cstring>

namespace dynamo::storage {
namespace {

constexpr char magic[4] = {'D', 'L', 'I', '1'};
constexpr std::size_t header_bytes = 4 + 8 + 8;
constexpr std::size_t min_entry_bytes = 8 + 4 + 10;

}  // namespace

void append_index_entry(std::string& entries, const IndexEntry& entry) {
  put_le(entries, entry.offset, 8);
  put_le(entries, entry.size, 4);
  append_fields(entries, entry.fields);
}

std::string finish_index(std::uint64_t segment_size, std::uint64_t count,
                         std::string_view entries) {
  std::string out;
  out.reserve(header_bytes + entries.size() + 8);
  out.append(magic, sizeof magic);
  put_le(out, segment_size, 8);
  put_le(out, count, 8);
  out.append(entries);
  put_le(out, XXH3_64bits(out.data(), out.size()), 8);
  return out;
}

bool decode_index(std::string_view bytes, std::uint64_t segment_size,
                  std::vector<IndexEntry>& out) {
  if (bytes.size() < header_bytes + 8) return false;
  if (std::memcmp(bytes.data(), magic, sizeof magic) != 0) return false;
  const std::size_t body_end = bytes.size() - 8;
  if (XXH3_64bits(bytes.data(), body_end) != get_le(bytes, body_end, 8)) return false;
  if (get_le(bytes, 4, 8) != segment_size) return false;
  const std::uint64_t count = get_le(bytes, 12, 8);
  if (count > (body_end - header_bytes) / min_entry_bytes) return false;
  const std::string_view body = bytes.substr(0, body_end);
  std::size_t at = header_bytes;
  out.clear();
  out.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    IndexEntry e;
    if (body.size() - at < 12) return false;
    e.offset = get_le(body, at, 8);
    e.size = static_cast<std::uint32_t>(get_le(body, at + 8, 4));
    at += 12;
    if (!parse_fields(body, at, e.fields)) return false;
    if (e.size < record_header_bytes || e.offset > segment_size ||
        e.size > segment_size - e.offset) {
      return false;
    }
    out.push_back(e);
  }
  return at == body.size();
}

}  // namespace dynamo::storage
