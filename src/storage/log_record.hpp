#pragma once
// The record format of LogStorage's segment files. Each change is one record:
//
//   u32 magic "DLR1" | u64 checksum | u32 body length | body
//   body = u8 kind | u64 seq | [u64 pos.hi | u64 pos.lo]  (key records)
//          | varint key length | key | [varint owner length | owner]  (hint records)
//          | value (the rest: encoded siblings, or a metadata value; empty for erasures)
//
// Integers are little-endian; the checksum is XXH3-64 of the length field and the body, so a
// damaged length is caught as surely as a damaged value. The magic lets a scan find the next
// record after a damaged one. seq orders records across segments: of two records for the same
// key, the higher seq is the newer, whichever file holds it (compaction moves records between
// files but keeps their seq).

#include <cstdint>
#include <string>
#include <string_view>

#include "dynamo/ring/position.hpp"

namespace dynamo::storage {

enum class RecordKind : std::uint8_t {
  key_put = 1,
  key_erase = 2,
  hint_put = 3,
  hint_erase = 4,
  meta_put = 5,
  meta_erase = 6,
};

inline bool is_erase(RecordKind k) {
  return k == RecordKind::key_erase || k == RecordKind::hint_erase || k == RecordKind::meta_erase;
}
inline bool is_key(RecordKind k) { return k == RecordKind::key_put || k == RecordKind::key_erase; }
inline bool is_hint(RecordKind k) {
  return k == RecordKind::hint_put || k == RecordKind::hint_erase;
}

// A record's fields; the views point into the buffer it was decoded from.
struct Record {
  RecordKind kind = RecordKind::key_put;
  std::uint64_t seq = 0;
  ring::Position pos;      // key records only
  std::string_view owner;  // hint records only
  std::string_view key;    // the key, or the metadata name
  std::string_view value;
};

inline constexpr std::size_t record_header_bytes = 16;
// Larger than any record a valid put can make (a 64 MiB frame's siblings plus key and owner).
inline constexpr std::uint32_t max_record_body = (std::uint32_t{65} << 20);

// Little-endian fixed-width integers, as records and indexes store them. get_le does not check
// bounds: the caller has.
void put_le(std::string& out, std::uint64_t v, int bytes);
std::uint64_t get_le(std::string_view bytes, std::size_t at, int bytes_count);

// The fields that identify a record (kind, seq, pos, key, owner), without its value: the body's
// start, and an index file's entry. parse_fields advances at past them, false if malformed.
void append_fields(std::string& out, const Record& record);
bool parse_fields(std::string_view bytes, std::size_t& at, Record& out);

// Appends the encoded record to out.
void append_record(std::string& out, const Record& record);

enum class ParseResult {
  ok,         // out and size are set
  truncated,  // bytes end before the record does
  damaged,    // wrong magic, impossible length, checksum mismatch or malformed body
};
// Parses the record at the start of bytes.
ParseResult parse_record(std::string_view bytes, Record& out, std::size_t& size);

// The offset of the next possible record start (magic) after `from`, or bytes.size().
std::size_t find_next_magic(std::string_view bytes, std::size_t from);

}  // namespace dynamo::storage
