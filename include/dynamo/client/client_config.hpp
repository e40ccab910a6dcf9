#pragma once
// ClientConfig: how a Client finds and talks to a cluster.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/log_record.hpp"
#include "dynamo/ring/ring_params.hpp"
#include "dynamo/wire/limits.hpp"

namespace dynamo {

// Who coordinates a client's reads. Writes are always coordinated by a home replica of the key:
// a new version's dot must come from an actor that has seen the key's history (see
// coordinate_write), which a client does not hold.
enum class ReadCoordination {
  // The client asks R of the key's replicas itself and merges their answers, as the paper's
  // section 6.4 recommends: one network round trip and 2R messages (4 for R = 2) instead of two
  // round trips and 2N + 2 messages. The client also does the read repair.
  client,
  // The first home replica coordinates, asking all N replicas.
  node,
};

struct ClientConfig {
  std::string cluster = "dynamo";   // must match the nodes'
  std::string name;                 // this client's address as the transport knows it
  // Nodes to ask for the ring (all at once, until one answers), and to send requests to, in
  // turn, while none has answered.
  std::vector<std::string> seeds;
  ring::RingParams ring;            // must match the nodes'
  // A request's whole budget: its callback runs by then, with errc::timeout if no node it asked
  // answered.
  std::chrono::milliseconds request_timeout{3000};
  // A node that has not answered a request within this is passed over: the request goes to the
  // next candidate (the next home replica of the key, or the next seed while the ring is
  // unknown), and an answer from any node asked still completes it. A node the transport
  // reports unreachable (a refused dial, a broken connection) is passed over at once. Requests
  // made before the first ring arrives wait for it up to this long, then go to the seeds.
  // A write passed over while its coordinator was merely slow may be applied by both
  // coordinators, as two siblings of the same value (QuorumReport::passed_over counts them), so
  // keep it above the nodes' own request_timeout. 0 (the default): half of request_timeout, so
  // a request always has time for a second coordinator; a value set must be below
  // request_timeout, or a silent node would never be passed over.
  std::chrono::milliseconds attempt_timeout{0};
  std::chrono::milliseconds suspect_period{2000};   // a node passed over is tried last meanwhile
  // How often the client asks for the ring again, so it follows nodes joining and leaving (it
  // also asks at once when a request times out).
  std::chrono::milliseconds ring_refresh_interval{5000};
  wire::Limits limits;
  // Records of notable events, as Config::log (log_record.hpp): a resolver that threw, and with
  // trace_requests each request's routing at level debug.
  LogSink log;
  ReadCoordination read_coordination = ReadCoordination::client;
  // The hedge of a client-coordinated read: one that has not heard from R replicas by then asks
  // the key's other replicas as well (a slow or failed replica costs this delay, not the whole
  // request_timeout). A node's own reads hedge at half its request_timeout.
  std::chrono::milliseconds read_hedge_delay{50};
  // Log every node a request asks and passes over (to `log`): for finding out why a request
  // took as long as it did. Off by default; a line per attempt.
  bool trace_requests = false;
};

// The attempt_timeout in force: the one set, or half of request_timeout.
inline std::chrono::milliseconds effective_attempt_timeout(const ClientConfig& config) {
  return config.attempt_timeout.count() > 0 ? config.attempt_timeout : config.request_timeout / 2;
}

// Throws std::invalid_argument naming the mistake: no name, no seeds, a non-positive timeout,
// an attempt_timeout that would never pass a node over.
inline void validate(const ClientConfig& config) {
  const auto reject = [](const std::string& what) {
    throw std::invalid_argument("dynamo client config: " + what);
  };
  if (config.name.empty()) reject("name is empty");
  if (config.cluster.empty()) reject("cluster is empty");
  if (config.seeds.empty()) reject("seeds is empty");
  if (config.request_timeout.count() <= 0) reject("request_timeout must be positive");
  if (config.attempt_timeout.count() < 0) reject("attempt_timeout must not be negative");
  if (config.attempt_timeout >= config.request_timeout) {
    reject("attempt_timeout (" + std::to_string(config.attempt_timeout.count()) +
           " ms) must be below request_timeout (" + std::to_string(config.request_timeout.count()) +
           " ms), or 0 for half of it");
  }
  if (config.request_timeout / 2 <= std::chrono::milliseconds{0}) {
    reject("request_timeout must be at least 2 ms");
  }
  if (config.suspect_period.count() <= 0) reject("suspect_period must be positive");
  if (config.ring_refresh_interval.count() <= 0) reject("ring_refresh_interval must be positive");
  if (config.read_hedge_delay.count() <= 0) reject("read_hedge_delay must be positive");
  ring::validate(config.ring);
}

}  // namespace dynamo
