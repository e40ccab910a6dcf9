#pragma once
// --tls-ca, --tls-cert and --tls-key, shared by dynamo-peer and dynamo-cli: all three switch the
// program to TlsTransport (mutual TLS against the cluster CA), none keeps plain TCP.

#include <optional>

#include <dynamo/transport/tls_transport.hpp>

#include "common/args.hpp"

namespace examples {

inline constexpr const char* tls_usage =
    "  --tls-ca FILE          PEM of the cluster CA; with --tls-cert and --tls-key: use TLS\n"
    "  --tls-cert FILE        PEM certificate signed by that CA\n"
    "  --tls-key FILE         PEM private key of the certificate\n";

// Adds the three options to a program's spec.
void add_tls_options(ArgSpec& spec);

// The TLS files if all three options were given, nullopt if none was. Throws UsageError when
// only some were given or a file cannot be read.
std::optional<dynamo::TlsConfig> tls_from_args(const Args& args);

}  // namespace examples
