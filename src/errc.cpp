#include "dynamo/errc.hpp"

namespace dynamo {
namespace {

class DynamoCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "dynamo"; }

  std::string message(int value) const override {
    if (value == 0) return "success";
    switch (static_cast<errc>(value)) {
      case errc::timeout: return "request timed out";
      case errc::quorum_not_reached: return "quorum not reached";
      case errc::bad_context: return "context is truncated, tampered with, foreign or for another key";
      case errc::malformed_frame: return "malformed frame";
      case errc::too_large: return "size limit exceeded";
      case errc::incompatible_peer: return "peer is incompatible";
      case errc::not_found: return "key not found";
      case errc::unknown_message: return "unknown message type";
      case errc::unavailable: return "too few replicas reachable; nothing was written";
      case errc::shutdown: return "node shut down before the request completed";
      case errc::invalid_request: return "invalid request (R or W above N, or a refused membership change)";
      case errc::ring_changing: return "the ring's last change has not reached every member yet";
      case errc::resolver_failed: return "the conflict resolver threw on the siblings read";
    }
    return "unknown dynamo error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& dynamo_category() noexcept {
  static const DynamoCategory category;
  return category;
}

}  // namespace dynamo
