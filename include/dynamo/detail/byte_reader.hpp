#pragma once
// Reads what ByteWriter wrote from untrusted input. Every read checks the bytes that remain
// before touching them, and every length is checked against a caller's bound before anything
// is allocated. The first failure is sticky: later reads fail too, so a decoder may read a whole
// structure and test ok() once at the end.

#include <cstdint>
#include <string>
#include <string_view>

namespace dynamo::detail {

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  bool at_end() const { return ok_ && pos_ == data_.size(); }
  std::size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  bool fail() { ok_ = false; return false; }

  bool read_u8(std::uint8_t& v) {
    if (remaining() < 1) return fail();
    v = static_cast<std::uint8_t>(data_[pos_++]);
    return true;
  }

  bool read_u32_be(std::uint32_t& v) {
    if (remaining() < 4) return fail();
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(data_[pos_++]);
    return true;
  }

  // Rejects encodings longer than ten bytes, values that overflow 64 bits, and padded encodings.
  bool read_varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t byte = 0;
      if (!read_u8(byte)) return false;
      const std::uint64_t bits = byte & 0x7f;
      if (shift == 63 && bits > 1) return fail();
      v |= bits << shift;
      // The last byte of a longer encoding must not be zero: one value, one encoding, so that
      // decoding then re-encoding gives back the same bytes.
      if ((byte & 0x80) == 0) return byte != 0 || shift == 0 || fail();
    }
    return fail();
  }

  // Reads a varint no larger than max.
  bool read_bounded(std::uint64_t max, std::uint64_t& v) {
    return read_varint(v) && (v <= max || fail());
  }

  bool read_bool(bool& v) {
    std::uint8_t byte = 0;
    if (!read_u8(byte) || byte > 1) return fail();
    v = byte == 1;
    return true;
  }

  // A varint length, checked against max_len and against the bytes that remain, then the bytes.
  bool read_bytes(std::size_t max_len, std::string& out) {
    std::string_view view;
    if (!read_bytes_view(max_len, view)) return false;
    out.assign(view);
    return true;
  }

  bool read_bytes_view(std::size_t max_len, std::string_view& out) {
    std::uint64_t len = 0;
    if (!read_varint(len) || len > max_len || len > remaining()) return fail();
    out = data_.substr(pos_, static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
    return true;
  }

  bool read_raw(std::size_t n, std::string_view& out) {
    if (remaining() < n) return fail();
    out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  // Reads an element count no larger than max and no larger than the bytes that remain divided
  // by the smallest encoding of one element, so a forged count cannot reserve huge memory.
  bool read_count(std::size_t max, std::size_t min_element_bytes, std::size_t& count) {
    std::uint64_t n = 0;
    if (!read_varint(n) || n > max) return fail();
    if (min_element_bytes > 0 && n > remaining() / min_element_bytes) return fail();
    count = static_cast<std::size_t>(n);
    return true;
  }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace dynamo::detail
