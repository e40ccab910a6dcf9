// Uses compiled parts of dynamo that need xxHash (Context encoding) and OpenSSL (MD5 key
// hashing) and a header-only part, so the headers and the library's link dependencies must all
// have been exported correctly.
#include <cstdio>

#include <dynamo/core/context.hpp>
#include <dynamo/core/siblings.hpp>
#include <dynamo/ring/key_hash.hpp>

int main() {
  dynamo::Siblings s;
  s.add(s.successor(dynamo::ActorId{1}, 1, {}, "hello", false));
  std::error_code ec;
  const dynamo::Context back = dynamo::Context::decode(dynamo::Context(s.clock()).encode(), ec);
  if (ec || back.clock() != s.clock()) {
    std::puts("consumer: context round trip failed");
    return 1;
  }
  const auto md5 = dynamo::ring::hash_key(dynamo::ring::HashKind::md5, "");
  if (md5.hi != 0xd41d8cd98f00b204ULL) {  // MD5("") = d41d8cd98f00b204e9800998ecf8427e
    std::puts("consumer: MD5 key hash is wrong");
    return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
