#pragma once
// The codecs that walk message_fields.hpp's layouts: one writes (or counts) the bytes, one reads
// them back from untrusted input, one checks a message against the limits before sending, and
// one finds the fewest bytes a list element can take.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "dynamo/wire/byte_sink.hpp"
#include "dynamo/wire/field_reader.hpp"
#include "dynamo/wire/value_codec.hpp"
#include "message_fields.hpp"

namespace dynamo::wire::schema {

// Adds up the smallest encoding of every field: one byte each (a varint, a bool, an empty byte
// string, an empty list or sibling set), nested structs field by field.
class MinSize {
 public:
  std::size_t size() const { return size_; }

  void u8(const char*, std::uint8_t) { ++size_; }
  template <class E>
  void byte_enum(const char*, E) { ++size_; }
  void u32(const char*, std::uint32_t) { ++size_; }
  void u64(const char*, std::uint64_t) { ++size_; }
  void flag(const char*, bool) { ++size_; }
  void bytes(const char*, std::string_view, Bound) { ++size_; }
  void siblings(const char*, const Siblings&) { ++size_; }
  template <class T>
  void nested(const char*, const T& v) { fields(*this, v); }
  template <class T>
  void list(const char*, const std::vector<T>&, Count) { ++size_; }

 private:
  std::size_t size_ = 0;
};

// The fewest bytes one element of a list of T encodes to, which bounds what its count may claim.
template <class T>
std::size_t min_element_size() {
  static const std::size_t size = [] {
    MinSize counter;
    const T none{};
    element(counter, none);
    return counter.size();
  }();
  return size;
}

template <ByteSink W>
class FieldWriter {
 public:
  explicit FieldWriter(W& w) : w_(w) {}

  void u8(const char*, std::uint8_t v) { w_.put_u8(v); }
  template <class E>
  void byte_enum(const char*, E v) { w_.put_u8(static_cast<std::uint8_t>(v)); }
  void u32(const char*, std::uint32_t v) { w_.put_varint(v); }
  void u64(const char*, std::uint64_t v) { w_.put_varint(v); }
  void flag(const char*, bool v) { w_.put_bool(v); }
  void bytes(const char*, std::string_view v, Bound) { w_.put_bytes(v); }
  void siblings(const char*, const Siblings& s) { encode_siblings(w_, s); }
  template <class T>
  void nested(const char*, const T& v) { fields(*this, v); }
  template <class T>
  void list(const char*, const std::vector<T>& v, Count) {
    w_.put_varint(v.size());
    for (const T& e : v) element(*this, e);
  }

 private:
  W& w_;
};

// Reads every field even after a failure; the reader's sticky error makes the extra reads no-ops.
class FieldDecoder {
 public:
  FieldDecoder(FieldReader& r, const Limits& limits) : r_(r), limits_(limits) {}

  void u8(const char*, std::uint8_t& v) { r_.read_u8(v); }
  // Any byte is accepted: whether the value is one this build knows is the caller's question.
  template <class E>
  void byte_enum(const char*, E& v) {
    std::uint8_t byte = 0;
    if (r_.read_u8(byte)) v = static_cast<E>(byte);
  }
  void flag(const char*, bool& v) { r_.read_bool(v); }
  void u64(const char*, std::uint64_t& v) { r_.read_varint(v); }
  void u32(const char*, std::uint32_t& v) {
    std::uint64_t wide = 0;
    if (r_.read_bounded(std::numeric_limits<std::uint32_t>::max(), wide)) {
      v = static_cast<std::uint32_t>(wide);
    }
  }
  void bytes(const char*, std::string& v, Bound b) { r_.read_bytes(limit_of(limits_, b), v); }
  void siblings(const char*, Siblings& s) { decode_siblings(r_, limits_, s); }
  template <class T>
  void nested(const char*, T& v) { fields(*this, v); }
  // The count is checked against its bound and the bytes left before the elements exist.
  template <class T>
  void list(const char*, std::vector<T>& v, Count count) {
    const CountLimit limit = count_limit(limits_, count);
    std::size_t n = 0;
    if (!r_.read_count(limit.max, min_element_size<T>(), n, limit.over)) return;
    v.resize(n);
    for (T& e : v) {
      if (!r_.ok()) return;
      element(*this, e);
    }
  }

 private:
  FieldReader& r_;
  const Limits& limits_;
};

// Keeps the first limit a message breaks.
class LimitChecker {
 public:
  explicit LimitChecker(const Limits& limits) : limits_(limits) {}

  std::error_code error() const { return error_; }

  void u8(const char*, std::uint8_t) {}
  template <class E>
  void byte_enum(const char*, E) {}
  void u32(const char*, std::uint32_t) {}
  void u64(const char*, std::uint64_t) {}
  void flag(const char*, bool) {}
  void bytes(const char*, std::string_view v, Bound b) {
    if (v.size() > limit_of(limits_, b)) note(errc::too_large);
  }
  void siblings(const char*, const Siblings& s) { note(check_siblings(s, limits_)); }
  template <class T>
  void nested(const char*, const T& v) { fields(*this, v); }
  template <class T>
  void list(const char*, const std::vector<T>& v, Count count) {
    const CountLimit limit = count_limit(limits_, count);
    if (v.size() > limit.max) note(limit.over);
    for (const T& e : v) element(*this, e);
  }

 private:
  void note(std::error_code ec) {
    if (!error_) error_ = ec;
  }

  const Limits& limits_;
  std::error_code error_;
};

}  // namespace dynamo::wire::schema
