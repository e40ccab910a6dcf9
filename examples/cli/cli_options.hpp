#pragma once
// dynamo-cli's command line: where the cluster is, how to reach it, and one command.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dynamo/core/context.hpp>
#include <dynamo/transport/tls_transport.hpp>

#include "common/peer_list.hpp"

namespace examples {

struct CliOptions {
  std::vector<PeerAddress> peers;  // seeds for the ring, and the nodes `status` asks
  std::optional<dynamo::TlsConfig> tls;
  std::chrono::milliseconds timeout{3000};  // per request and coordinator
  std::string cluster = "dynamo";
  std::string resolver;
  std::string command;             // get, put, remove, ring, status, stats, join or leave
  std::string key;                 // the key, or for join and leave the node's name
  std::string value;               // put only
  std::string address;             // join only: where the joining node listens
  std::string zone;                // join only
  std::uint32_t weight = 1;        // join only
  bool wait = false;               // join and leave: until the change has completed
  bool raw = false;                // stats: the Prometheus text as each node sent it
  std::chrono::seconds wait_limit{600};
  dynamo::Context context;         // --context; empty for a blind put
  std::uint32_t r = 0, w = 0;      // 0: the nodes' defaults
};

std::string cli_usage();

// Throws UsageError for a missing or malformed flag, an unknown command, a wrong number of
// arguments, or a --context that does not decode. Returns nullopt for --help.
std::optional<CliOptions> parse_cli_options(int argc, const char* const* argv);

}  // namespace examples
