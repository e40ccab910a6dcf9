// Uses a compiled part of dynamo (Context encoding, which needs xxHash) and a header-only part,
// so both the headers and the library's link dependencies must have been exported correctly.
#include <cstdio>

#include <dynamo/core/context.hpp>
#include <dynamo/core/siblings.hpp>

int main() {
  dynamo::Siblings s;
  s.add(s.successor(dynamo::ActorId{1}, 1, {}, "hello", false));
  std::error_code ec;
  const dynamo::Context back = dynamo::Context::decode(dynamo::Context(s.clock()).encode(), ec);
  if (ec || back.clock() != s.clock()) {
    std::puts("consumer: context round trip failed");
    return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
