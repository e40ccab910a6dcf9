#pragma once
// FieldReader: detail::ByteReader plus the reason for the first failure, so a decoder can tell a
// peer "too large" (a length or count above a configured limit) from "malformed" (anything else:
// truncation, a bad bool, a count the remaining bytes cannot hold, trailing bytes).
//
// Failure is sticky as in ByteReader: after the first failed read every later read fails and the
// first error is kept, so a decoder may read a whole structure and check once at the end.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "dynamo/detail/byte_reader.hpp"
#include "dynamo/errc.hpp"

namespace dynamo::wire {

class FieldReader {
 public:
  explicit FieldReader(std::string_view bytes) : reader_(bytes) {}

  bool ok() const { return reader_.ok(); }
  std::size_t remaining() const { return reader_.remaining(); }
  // The first failure's error; success while ok().
  std::error_code error() const { return error_; }

  // Records `e` unless an earlier failure was recorded, and fails every later read.
  bool fail(errc e) {
    if (!error_) error_ = make_error_code(e);
    return reader_.fail();
  }

  // The error to report once a whole message has been read: the first failure, or
  // malformed_frame when bytes are left over.
  std::error_code finish() {
    if (ok() && !reader_.at_end()) fail(errc::malformed_frame);
    return error_;
  }

  bool read_u8(std::uint8_t& v) { return reader_.read_u8(v) || malformed(); }
  bool read_bool(bool& v) { return reader_.read_bool(v) || malformed(); }
  bool read_varint(std::uint64_t& v) { return reader_.read_varint(v) || malformed(); }

  // A varint that must not exceed `max`; a larger one is malformed, not too large, because
  // such bounds come from the field's type (a u32 field), not from a configured limit.
  bool read_bounded(std::uint64_t max, std::uint64_t& v) {
    return reader_.read_bounded(max, v) || malformed();
  }

  // A varint length, then that many bytes. The length is checked against `limit` (too_large)
  // and then against the bytes that remain (malformed) before anything is copied.
  bool read_bytes(std::size_t limit, std::string& out) {
    std::string_view view;
    if (!read_bytes_view(limit, view)) return false;
    out.assign(view);
    return true;
  }

  bool read_bytes_view(std::size_t limit, std::string_view& out) {
    std::uint64_t len = 0;
    if (!read_varint(len)) return false;
    if (len > limit) return fail(errc::too_large);
    return reader_.read_raw(static_cast<std::size_t>(len), out) || malformed();
  }

  // An element count: above `limit` is `over_limit` (too_large unless the limit is one the
  // protocol fixes); more elements than the remaining bytes could hold at `min_element_bytes`
  // each is malformed. Either way nothing has been allocated yet.
  bool read_count(std::size_t limit, std::size_t min_element_bytes, std::size_t& count,
                  errc over_limit = errc::too_large) {
    std::uint64_t n = 0;
    if (!read_varint(n)) return false;
    if (n > limit) return fail(over_limit);
    if (min_element_bytes > 0 && n > remaining() / min_element_bytes) return malformed();
    count = static_cast<std::size_t>(n);
    return true;
  }

 private:
  bool malformed() { return fail(errc::malformed_frame); }

  detail::ByteReader reader_;
  std::error_code error_;
};

}  // namespace dynamo::wire
