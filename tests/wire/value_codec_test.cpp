// The sibling codec accepts only canonical sets: whatever decodes is exactly what Siblings::add
// would have built, in the order it keeps, so decode(encode(s)) == s and equal sets have equal
// bytes.

#include <catch2/catch.hpp>

#include <initializer_list>

#include "dynamo/detail/byte_writer.hpp"
#include "dynamo/wire/value_codec.hpp"

namespace dynamo::wire {
namespace {

Versioned version(std::uint64_t actor, std::uint64_t counter,
                  std::initializer_list<ClockEntry> past = {}) {
  Versioned v{{ActorId{actor}, counter}, 5, {}, "x", false};
  for (const ClockEntry& e : past) v.past.witness(e.actor, e.counter, e.timestamp);
  return v;
}

// The bytes of a sibling set holding `versions` in the given order, canonical or not.
std::string encode_in_order(std::initializer_list<Versioned> versions) {
  std::string out;
  detail::ByteWriter w(out);
  w.put_varint(versions.size());
  for (const Versioned& v : versions) encode_versioned(w, v);
  return out;
}

std::error_code decode(const std::string& bytes) {
  Siblings s;
  return decode_siblings(bytes, Limits{}, s);
}

TEST_CASE("concurrent versions decode only in dot order", "[wire][siblings]") {
  const Versioned a = version(1, 1);
  const Versioned b = version(2, 1);
  Siblings expected;
  expected.add(b);
  expected.add(a);
  Siblings decoded;
  REQUIRE_FALSE(decode_siblings(encode_in_order({a, b}), Limits{}, decoded));
  CHECK(decoded == expected);
  CHECK(encode_siblings(expected) == encode_in_order({a, b}));
  CHECK(decode(encode_in_order({b, a})) == errc::malformed_frame);
}

TEST_CASE("a duplicate dot is malformed", "[wire][siblings]") {
  CHECK(decode(encode_in_order({version(1, 1), version(1, 1)})) == errc::malformed_frame);
  Versioned twin = version(1, 1);
  twin.value = "other";
  CHECK(decode(encode_in_order({version(1, 1), twin})) == errc::malformed_frame);
}

TEST_CASE("a version superseded by another in the set is malformed", "[wire][siblings]") {
  // Sorted by dot either way: the later version supersedes the earlier, or the reverse.
  const Versioned old_a = version(1, 1);
  const Versioned new_b = version(2, 1, {{ActorId{1}, 1, 0}});
  CHECK(decode(encode_in_order({old_a, new_b})) == errc::malformed_frame);
  const Versioned new_a = version(1, 2, {{ActorId{2}, 1, 0}});
  const Versioned old_b = version(2, 1);
  CHECK(decode(encode_in_order({new_a, old_b})) == errc::malformed_frame);
  CHECK_FALSE(decode(encode_in_order({new_a})));
}

TEST_CASE("impossible dots are malformed", "[wire][siblings]") {
  CHECK_FALSE(decode(encode_in_order({version(1, 1)})));
  CHECK(decode(encode_in_order({version(1, 0)})) == errc::malformed_frame);
  CHECK(decode(encode_in_order({version(1, 2, {{ActorId{1}, 2, 0}})})) == errc::malformed_frame);
  CHECK(decode(encode_in_order({version(1, 2, {{ActorId{1}, 3, 0}})})) == errc::malformed_frame);
  CHECK_FALSE(decode(encode_in_order({version(1, 2, {{ActorId{1}, 1, 0}})})));
}

TEST_CASE("clocks must be strictly sorted with counters of at least one", "[wire][siblings]") {
  const auto clock_bytes = [](std::initializer_list<ClockEntry> entries) {
    std::string out;
    detail::ByteWriter w(out);
    w.put_varint(entries.size());
    for (const ClockEntry& e : entries) {
      w.put_varint(e.actor.value);
      w.put_varint(e.counter);
      w.put_varint(e.timestamp);
    }
    return out;
  };
  const auto decode_clock_bytes = [](const std::string& bytes) {
    FieldReader r(bytes);
    VectorClock c;
    decode_clock(r, Limits{}, c);
    return r.finish();
  };
  CHECK_FALSE(decode_clock_bytes(clock_bytes({{ActorId{1}, 1, 0}, {ActorId{2}, 1, 0}})));
  CHECK(decode_clock_bytes(clock_bytes({{ActorId{2}, 1, 0}, {ActorId{1}, 1, 0}})) ==
        errc::malformed_frame);
  CHECK(decode_clock_bytes(clock_bytes({{ActorId{1}, 1, 0}, {ActorId{1}, 2, 0}})) ==
        errc::malformed_frame);
  CHECK(decode_clock_bytes(clock_bytes({{ActorId{1}, 0, 0}})) == errc::malformed_frame);
}

TEST_CASE("check_siblings agrees with the decoder", "[wire][siblings]") {
  Siblings ok;
  ok.add(version(1, 1));
  CHECK_FALSE(check_siblings(ok, Limits{}));
  Siblings zero;
  zero.add(version(1, 0));
  CHECK(check_siblings(zero, Limits{}) == errc::malformed_frame);
  Limits no_values;
  no_values.max_value = 0;
  CHECK(check_siblings(ok, no_values) == errc::too_large);
  Siblings decoded;
  CHECK(decode_siblings(encode_siblings(ok), no_values, decoded) == errc::too_large);
}

TEST_CASE("a sibling record with trailing bytes is malformed", "[wire][siblings]") {
  CHECK(decode(encode_in_order({version(1, 1)}) + "!") == errc::malformed_frame);
  CHECK(decode("") == errc::malformed_frame);
  CHECK_FALSE(decode(encode_siblings(Siblings{})));
}

}  // namespace
}  // namespace dynamo::wire
