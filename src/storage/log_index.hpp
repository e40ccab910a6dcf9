#pragma once
// The index file LogStorage writes beside a segment when it closes it, so that reopening reads
// the record fields (kind, seq, position, key, owner) and locations without reading any value:
//
//   "DLI1" | u64 segment size | u64 entry count | entries | u64 XXH3-64 of everything before
//   entry = u64 offset | u32 record size | the record's fields (log_record.hpp)
//
// An index is all or nothing: a wrong checksum, a count that does not fit, or a segment size that
// differs from the segment file's makes the caller scan the segment instead.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/log_record.hpp"

namespace dynamo::storage {

struct IndexEntry {
  Record fields;  // value empty; views into the index bytes when decoded
  std::uint64_t offset = 0;
  std::uint32_t size = 0;
};

// Appends one entry to an index being built; finish_index closes it with its header and checksum.
void append_index_entry(std::string& entries, const IndexEntry& entry);
std::string finish_index(std::uint64_t segment_size, std::uint64_t count, std::string_view entries);

// Decodes an index written for a segment of segment_size bytes; false if it is not one.
bool decode_index(std::string_view bytes, std::uint64_t segment_size,
                  std::vector<IndexEntry>& out);

}  // namespace dynamo::storage
