#include <catch2/catch.hpp>

#include <optional>
#include <random>

#include <xxhash.h>

#include "dynamo/core/context.hpp"
#include "dynamo/detail/byte_writer.hpp"
#include "dynamo/errc.hpp"
#include "support/clock_gen.hpp"

using dynamo::Context;
using dynamo::errc;

namespace {
Context sample() {
  dynamo::VectorClock clock;
  clock.witness(dynamo::ActorId{7}, 3, 1700000000000);
  clock.witness(dynamo::ActorId{1ULL << 60}, 1, 1700000000123);
  return Context(clock);
}
}  // namespace

TEST_CASE("contexts round-trip through bytes and text", "[context]") {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    const Context original(dynamo::test::random_clock(rng, 8, 1000));
    std::error_code ec;
    CHECK(Context::decode(original.encode(), ec) == original);
    CHECK_FALSE(ec);
    CHECK(Context::from_text(original.to_text(), ec) == original);
    CHECK_FALSE(ec);
  }
  std::error_code ec;
  CHECK(Context::decode(Context{}.encode(), ec).empty());
  CHECK_FALSE(ec);
}

TEST_CASE("every truncation of a context is rejected", "[context]") {
  const std::string bytes = sample().encode();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::error_code ec;
    const Context c = Context::decode(bytes.substr(0, n), ec);
    CHECK(ec == errc::bad_context);
    CHECK(c.empty());
  }
}

TEST_CASE("every single-bit change to a context is rejected", "[context]") {
  const std::string bytes = sample().encode();
  for (std::size_t i = 0; i < bytes.size() * 8; ++i) {
    std::string tampered = bytes;
    tampered[i / 8] = static_cast<char>(tampered[i / 8] ^ (1 << (i % 8)));
    std::error_code ec;
    Context::decode(tampered, ec);
    CHECK(ec == errc::bad_context);
  }
}

TEST_CASE("foreign bytes are rejected", "[context]") {
  std::error_code ec;
  Context::decode("", ec);
  CHECK(ec == errc::bad_context);
  Context::decode("not a context at all", ec);
  CHECK(ec == errc::bad_context);
  Context::from_text("zz", ec);
  CHECK(ec == errc::bad_context);
  Context::from_text("abc", ec);
  CHECK(ec == errc::bad_context);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    std::string junk(rng() % 40, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    Context::decode(junk, ec);
    CHECK(ec == errc::bad_context);
  }
}

namespace {

// A token signed as encode() signs one, so that only the structure checks can reject it: format
// version 1 (no key), or 2 with `bound` and the key hash `key`.
std::string signed_body(std::uint8_t version, std::initializer_list<dynamo::ClockEntry> entries,
                        std::string_view trailing = {}, std::optional<std::uint64_t> key = {}) {
  std::string out;
  dynamo::detail::ByteWriter w(out);
  w.put_raw("DC");
  w.put_u8(version);
  if (version == 2) {
    w.put_bool(key.has_value());
    if (key) {
      w.put_u32_be(static_cast<std::uint32_t>(*key >> 32));
      w.put_u32_be(static_cast<std::uint32_t>(*key));
    }
  }
  w.put_varint(entries.size());
    for (const auto& e : entries) {
      w.put_varint(e.actor.value);
      w.put_varint(e.counter);
      w.put_varint(e.timestamp);
    }
  w.put_raw(trailing);
  w.put_u32_be(static_cast<std::uint32_t>(XXH3_64bits(out.data(), out.size())));
  return out;
}

}  // namespace

TEST_CASE("well-checksummed contexts with bad structure are rejected", "[context]") {
  const dynamo::ActorId one{1}, two{2};
  dynamo::VectorClock ok;
  ok.witness(one, 1, 5);
  REQUIRE(signed_body(2, {{one, 1, 5}}) == Context(ok).encode());  // the forger matches encode()

  std::error_code ec;
  Context::decode(signed_body(1, {{two, 1, 5}, {one, 1, 5}}), ec);
  CHECK(ec == errc::bad_context);  // unsorted
  Context::decode(signed_body(1, {{one, 1, 5}, {one, 2, 5}}), ec);
  CHECK(ec == errc::bad_context);  // duplicate actor
  Context::decode(signed_body(1, {{one, 0, 5}}), ec);
  CHECK(ec == errc::bad_context);  // zero counter
  Context::decode(signed_body(3, {}), ec);
  CHECK(ec == errc::bad_context);  // a future format version
  Context::decode(signed_body(2, {{one, 1, 5}}, "x"), ec);
  CHECK(ec == errc::bad_context);  // trailing bytes
  std::string flag = signed_body(2, {{one, 1, 5}});
  flag[3] = 2;  // the bound flag is 0 or 1 (re-signed below)
  flag.resize(flag.size() - 4);
  dynamo::detail::ByteWriter(flag).put_u32_be(static_cast<std::uint32_t>(XXH3_64bits(flag.data(), flag.size())));
  Context::decode(flag, ec);
  CHECK(ec == errc::bad_context);
}

TEST_CASE("a context is bound to the key it was read for", "[context]") {
  std::mt19937_64 rng(5);
  const dynamo::VectorClock clock = dynamo::test::random_clock(rng, 4, 100);
  const Context bound(clock, "cart:42");
  CHECK(bound.bound());
  CHECK_FALSE(bound.check_key("cart:42"));
  CHECK(bound.check_key("cart:43") == errc::bad_context);
  CHECK(bound.check_key("") == errc::bad_context);
  // The binding travels in the token and survives its text form.
  std::error_code ec;
  const Context decoded = Context::from_text(bound.to_text(), ec);
  REQUIRE_FALSE(ec);
  CHECK(decoded == bound);
  CHECK(decoded.check_key("cart:43") == errc::bad_context);
  CHECK(decoded.clock() == clock);
  // An empty read (the key absent) is bound too; only the default context and one made from a
  // clock alone are taken for any key.
  CHECK(Context(dynamo::VectorClock{}, "a").check_key("b") == errc::bad_context);
  CHECK_FALSE(Context{}.check_key("anything"));
  CHECK_FALSE(Context(clock).check_key("anything"));
  CHECK_FALSE(Context(clock) == bound);
}

TEST_CASE("a token of format version 1 still decodes, bound to no key", "[context]") {
  const dynamo::ActorId one{1};
  dynamo::VectorClock clock;
  clock.witness(one, 3, 7);
  std::error_code ec;
  const Context old = Context::decode(signed_body(1, {{one, 3, 7}}), ec);
  REQUIRE_FALSE(ec);
  CHECK_FALSE(old.bound());
  CHECK(old.clock() == clock);
  CHECK_FALSE(old.check_key("any key"));
  // Re-encoded, it is a version 2 token, still unbound.
  CHECK(old.encode() == signed_body(2, {{one, 3, 7}}));
  CHECK(signed_body(2, {{one, 3, 7}}, {}, 99) != old.encode());
}
