#include "dynamo/wire/value_codec.hpp"

namespace dynamo::wire {

bool decode_clock(FieldReader& r, const Limits& limits, VectorClock& out) {
  std::size_t count = 0;
  if (!r.read_count(limits.max_clock_entries, min_clock_entry_bytes, count)) return false;
  VectorClock::Entries entries(count);
  for (ClockEntry& e : entries) {
    r.read_varint(e.actor.value);
    r.read_varint(e.counter);
    r.read_varint(e.timestamp);
  }
  if (!r.ok()) return false;
  auto clock = VectorClock::from_sorted({entries.data(), entries.size()});
  if (!clock) return r.fail(errc::malformed_frame);
  out = std::move(*clock);
  return true;
}

namespace {

// A dot no write could have made: real dots count from 1 and are never in their own past.
bool impossible_dot(const Versioned& v) { return v.dot.counter == 0 || v.past.covers(v.dot); }

}  // namespace

bool decode_versioned(FieldReader& r, const Limits& limits, Versioned& out) {
  r.read_varint(out.dot.actor.value);
  r.read_varint(out.dot.counter);
  r.read_varint(out.timestamp);
  decode_clock(r, limits, out.past);
  r.read_bool(out.tombstone);
  r.read_bytes(limits.max_value, out.value);
  if (!r.ok()) return false;
  return !impossible_dot(out) || r.fail(errc::malformed_frame);
}

// Rebuilds the set through Siblings::add and insists that every version survives in the order
// sent: a dropped or reordered version means the sender's set was not canonical.
bool decode_siblings(FieldReader& r, const Limits& limits, Siblings& out) {
  std::size_t count = 0;
  if (!r.read_count(limits.max_siblings, min_versioned_bytes, count)) return false;
  Siblings set;
  for (std::size_t i = 0; i < count; ++i) {
    Versioned v;
    if (!decode_versioned(r, limits, v)) return false;
    const bool in_order = set.empty() || set.versions().back().dot < v.dot;
    if (!in_order || !set.add(std::move(v)) || set.size() != i + 1) {
      return r.fail(errc::malformed_frame);
    }
  }
  out = std::move(set);
  return true;
}

std::error_code check_siblings(const Siblings& siblings, const Limits& limits) {
  if (siblings.size() > limits.max_siblings) return errc::too_large;
  for (const Versioned& v : siblings.versions()) {
    if (v.value.size() > limits.max_value || v.past.size() > limits.max_clock_entries) {
      return errc::too_large;
    }
    if (impossible_dot(v)) return errc::malformed_frame;
  }
  return {};
}

std::string encode_siblings(const Siblings& siblings) {
  SizeCounter counter;
  encode_siblings(counter, siblings);
  std::string out;
  out.reserve(counter.size());
  detail::ByteWriter w(out);
  encode_siblings(w, siblings);
  return out;
}

std::error_code decode_siblings(std::string_view bytes, const Limits& limits, Siblings& out) {
  FieldReader r(bytes);
  Siblings set;
  decode_siblings(r, limits, set);
  if (const std::error_code ec = r.finish()) return ec;
  out = std::move(set);
  return {};
}

}  // namespace dynamo::wire
