// libFuzzer target for the wire decoder. Any input must decode or fail cleanly (the sanitizers
// catch the rest), and whatever decodes must be canonical: within limits, re-encoding to at most
// the input's size and decoding back to an equal message. Decoding under smaller limits may only
// refuse more, never produce something else.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dynamo/wire/frame.hpp"

namespace {

using namespace dynamo::wire;

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_frame_decode: %s\n", what);
  std::abort();
}

const Limits small_limits{.max_frame = 1024,
                          .max_key = 8,
                          .max_value = 32,
                          .max_siblings = 4,
                          .max_clock_entries = 4,
                          .max_context = 16,
                          .max_name = 8,
                          .max_members = 4};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Limits limits;
  Message message;
  const std::error_code ec = decode_frame(input, limits, message);

  Message small;
  if (!decode_frame(input, small_limits, small)) {
    require(!ec && small == message, "smaller limits accepted what the defaults refused");
  }
  if (ec) return 0;

  require(!check_limits(message, limits), "a decoded message breaks the limits");
  const std::string again = encode_frame(message);
  require(again.size() <= input.size(), "re-encoding grew the frame");
  Message round_trip;
  require(!decode_frame(again, limits, round_trip), "the re-encoded frame does not decode");
  require(round_trip == message, "the re-encoded frame decodes to another message");
  return 0;
}
