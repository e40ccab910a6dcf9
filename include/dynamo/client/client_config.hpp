#pragma once
// ClientConfig: how a Client finds and talks to a cluster.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/ring/ring_params.hpp"
#include "dynamo/wire/limits.hpp"

namespace dynamo {

struct ClientConfig {
  std::string cluster = "dynamo";   // must match the nodes'
  std::string name;                 // this client's address as the transport knows it
  std::vector<std::string> seeds;   // nodes to ask for the ring, and to use until it is known
  ring::RingParams ring;            // must match the nodes'
  std::chrono::milliseconds request_timeout{3000};  // per attempt at one coordinator
  std::chrono::milliseconds suspect_period{2000};   // a coordinator that timed out is tried last
  // How often the client asks for the ring again, so it follows nodes joining and leaving (it
  // also asks at once when a request times out).
  std::chrono::milliseconds ring_refresh_interval{5000};
  wire::Limits limits;
  std::function<void(std::string_view)> log;
};

// Throws std::invalid_argument naming the mistake: no name, no seeds, a non-positive timeout.
inline void validate(const ClientConfig& config) {
  const auto reject = [](const std::string& what) {
    throw std::invalid_argument("dynamo client config: " + what);
  };
  if (config.name.empty()) reject("name is empty");
  if (config.cluster.empty()) reject("cluster is empty");
  if (config.seeds.empty()) reject("seeds is empty");
  if (config.request_timeout.count() <= 0) reject("request_timeout must be positive");
  if (config.suspect_period.count() <= 0) reject("suspect_period must be positive");
  if (config.ring_refresh_interval.count() <= 0) reject("ring_refresh_interval must be positive");
  ring::validate(config.ring);
}

}  // namespace dynamo
