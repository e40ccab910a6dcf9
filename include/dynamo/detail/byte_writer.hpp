#pragma once
// Appends integers and length-prefixed byte strings to a buffer in dynamo's encoding:
// LEB128 varints for integers and lengths, big-endian for fixed-width header fields.

#include <cstdint>
#include <string>
#include <string_view>

namespace dynamo::detail {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  void put_u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }

  void put_u32_be(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) put_u8(static_cast<std::uint8_t>(v >> shift));
  }

  void put_varint(std::uint64_t v) {
    while (v >= 0x80) {
      put_u8(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    put_u8(static_cast<std::uint8_t>(v));
  }

  void put_bool(bool v) { put_u8(v ? 1 : 0); }

  // A varint length followed by the bytes themselves.
  void put_bytes(std::string_view bytes) {
    put_varint(bytes.size());
    out_.append(bytes);
  }

  void put_raw(std::string_view bytes) { out_.append(bytes); }

  std::size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

}  // namespace dynamo::detail
