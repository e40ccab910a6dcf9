#pragma once
// The binary encoding of clocks, versions and sibling sets, shared by the wire messages and the
// storage layer's records.
//
//   clock     = varint count, then per entry (sorted by actor): varint actor, counter, timestamp
//   versioned = varint dot actor, varint dot counter, varint timestamp, clock past,
//               bool tombstone, bytes value
//   siblings  = varint count, then each versioned, strictly sorted by dot
//
// Decoding accepts exactly what encoding can produce from valid values, so decode(encode(x)) == x
// and every decoded value is canonical: clocks strictly sorted with counters >= 1; dots with
// counter >= 1 and absent from their own past; sibling sets sorted by dot, without duplicates,
// and with no version superseding another. Anything else is errc::malformed_frame; a count or
// length above its Limits field is errc::too_large.

#include <string>
#include <string_view>
#include <system_error>

#include "dynamo/core/siblings.hpp"
#include "dynamo/core/vector_clock.hpp"
#include "dynamo/core/versioned.hpp"
#include "dynamo/detail/byte_writer.hpp"
#include "dynamo/wire/byte_sink.hpp"
#include "dynamo/wire/field_reader.hpp"
#include "dynamo/wire/limits.hpp"

namespace dynamo::wire {

// The fewest bytes one encoded element can take, which bounds what a count may claim.
inline constexpr std::size_t min_clock_entry_bytes = 3;
inline constexpr std::size_t min_versioned_bytes = 6;

template <ByteSink W>
void encode_clock(W& w, const VectorClock& clock) {
  w.put_varint(clock.size());
  for (const ClockEntry& e : clock.entries()) {
    w.put_varint(e.actor.value);
    w.put_varint(e.counter);
    w.put_varint(e.timestamp);
  }
}

template <ByteSink W>
void encode_versioned(W& w, const Versioned& v) {
  w.put_varint(v.dot.actor.value);
  w.put_varint(v.dot.counter);
  w.put_varint(v.timestamp);
  encode_clock(w, v.past);
  w.put_bool(v.tombstone);
  w.put_bytes(v.value);
}

template <ByteSink W>
void encode_siblings(W& w, const Siblings& siblings) {
  w.put_varint(siblings.size());
  for (const Versioned& v : siblings.versions()) encode_versioned(w, v);
}

// Each reads one value from `r`; on failure returns false, leaves `out` unspecified and the
// reason in r.error().
bool decode_clock(FieldReader& r, const Limits& limits, VectorClock& out);
bool decode_versioned(FieldReader& r, const Limits& limits, Versioned& out);
bool decode_siblings(FieldReader& r, const Limits& limits, Siblings& out);

// The error decoding `siblings`' encoding would report, or success: too_large for a set, value or
// past clock over its limit; malformed_frame for a version the decoder rejects (dot counter 0,
// or a past containing the version's own dot).
std::error_code check_siblings(const Siblings& siblings, const Limits& limits);

// Whole-buffer forms, for storage records that hold exactly one sibling set.
std::string encode_siblings(const Siblings& siblings);
std::error_code decode_siblings(std::string_view bytes, const Limits& limits, Siblings& out);

}  // namespace dynamo::wire
