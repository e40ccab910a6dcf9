#pragma once
// dynamo-peer's command line, parsed into what a node needs. Flags and their checks live here so
// that dynamo_peer.cpp is only about running the node.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <dynamo/node/config.hpp>
#include <dynamo/storage/log_storage.hpp>
#include <dynamo/transport/tls_transport.hpp>

#include "common/peer_list.hpp"

namespace examples {

struct PeerOptions {
  std::string name;
  std::string listen;                // host:port to bind
  std::optional<std::string> metrics_listen;  // host:port of the HTTP metrics endpoint
  std::vector<PeerAddress> members;  // the founding members (--peers), maybe this node included
  std::vector<PeerAddress> seeds;    // nodes to find the cluster through (--seeds)
  std::string zone;
  std::uint32_t weight = 1;
  bool join = false;                 // ask to be admitted at start-up (--join)
  std::uint32_t n = 3, r = 2, w = 2;
  std::string cluster = "dynamo";
  std::string resolver;
  bool durable = true;  // LogStorage under data_dir; false: MemoryStorage (--storage memory)
  std::optional<std::string> data_dir;
  dynamo::LogStorageOptions log;
  std::optional<dynamo::TlsConfig> tls;
  std::chrono::milliseconds request_timeout{1000};
  std::chrono::milliseconds hint_interval{500};
  std::chrono::milliseconds gossip_interval{1000};
  double phi_threshold = 8.0;
  std::chrono::milliseconds anti_entropy_interval{200};  // 0: anti-entropy off
  std::chrono::milliseconds transfer_interval{10};
  std::chrono::milliseconds transfer_check_interval{500};
  // Whether this node is one of the founding members (it is in --peers).
  bool founder() const;
};

// Usage text for --help and errors.
std::string peer_usage();

// Throws UsageError for a missing or malformed flag: --data-dir is required unless --storage
// memory; --peers or --seeds is required; a node not in --peers needs --listen. Returns nullopt
// for --help.
std::optional<PeerOptions> parse_peer_options(int argc, const char* const* argv);

// The node's Config (members, N/R/W, timeouts); dynamo::validate() is left to the caller.
dynamo::Config node_config(const PeerOptions& options);

}  // namespace examples
