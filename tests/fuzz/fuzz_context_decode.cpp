// libFuzzer target for Context::decode, which parses tokens clients hand back. Any input must
// decode or fail cleanly, and a token that decodes must be the one encoding of its clock:
// re-encoding gives back the input bytes, and the text form round-trips.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "dynamo/core/context.hpp"

namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_context_decode: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::error_code ec;
  const dynamo::Context context = dynamo::Context::decode(input, ec);
  if (ec) return 0;

  require(context.encode() == input, "re-encoding differs from the decoded bytes");
  const dynamo::Context from_text = dynamo::Context::from_text(context.to_text(), ec);
  require(!ec && from_text == context, "the text form does not round-trip");
  return 0;
}
