#include "dynamo/ring/key_hash.hpp"

#include <array>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

// Inlining xxHash lets the compiler specialise XXH3 for short keys and skips a call through the
// shared library, which matters for a lookup budget of ~20 ns.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace dynamo::ring {
namespace {

std::uint64_t load_be64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// OpenSSL 3 looks the algorithm up in its provider table on every EVP_md5() use; fetching once
// avoids that. The fetched object is shared read-only by all threads and lives until exit.
const EVP_MD* md5_algorithm() {
#if OPENSSL_VERSION_MAJOR >= 3
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
#else
  static const EVP_MD* md = EVP_md5();
#endif
  return md;
}

Position md5_position(std::string_view key) {
  // One context per thread, reused, so a lookup does not allocate.
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx{EVP_MD_CTX_new()};
  const EVP_MD* md = md5_algorithm();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), key.data(), key.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1 || length != 16) {
    throw std::runtime_error("dynamo: OpenSSL cannot compute MD5 for the ring hash");
  }
  return {load_be64(digest.data()), load_be64(digest.data() + 8)};
}

}  // namespace

Position hash_key(HashKind kind, std::string_view key) {
  switch (kind) {
    case HashKind::xxh3_128: {
      const XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
      return {h.high64, h.low64};
    }
    case HashKind::md5:
      return md5_position(key);
  }
  throw std::invalid_argument("dynamo: unknown ring hash kind");
}

std::string_view to_string(HashKind kind) noexcept {
  switch (kind) {
    case HashKind::xxh3_128: return "xxh3_128";
    case HashKind::md5: return "md5";
  }
  return "unknown";
}

}  // namespace dynamo::ring
