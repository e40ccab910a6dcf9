#include "common/tls_flags.hpp"

#include <fstream>

namespace examples {

void add_tls_options(ArgSpec& spec) {
  spec.with_value.insert({"tls-ca", "tls-cert", "tls-key"});
}

std::optional<dynamo::TlsConfig> tls_from_args(const Args& args) {
  const auto ca = args.value("tls-ca");
  const auto cert = args.value("tls-cert");
  const auto key = args.value("tls-key");
  if (!ca && !cert && !key) return std::nullopt;
  if (!ca || !cert || !key) {
    throw UsageError("TLS needs all three of --tls-ca, --tls-cert and --tls-key");
  }
  // Checked here so an unreadable file is a usage error, not a failure after start-up.
  for (const std::string* file : {&*ca, &*cert, &*key}) {
    if (!std::ifstream(*file)) throw UsageError("cannot read TLS file \"" + *file + "\"");
  }
  return dynamo::TlsConfig{*ca, *cert, *key};
}

}  // namespace examples
