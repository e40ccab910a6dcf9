#pragma once
// ClientMetrics: what a Client counts and measures, as a plain snapshot any thread may take
// (Client::metrics()); ClientMetricsRecorder is where the client's executor writes them.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dynamo/metrics/counter.hpp"
#include "dynamo/metrics/operations.hpp"

namespace dynamo::metrics {

// As of the last refresh (`at`, transport time): each ring the client takes, and each request
// that finds a suspicion lapsed.
struct ClientGauges {
  std::uint64_t ring_epoch = 0;  // 0: no ring yet
  std::uint64_t nodes = 0;       // in that ring
  std::vector<std::string> suspected;  // nodes passed over until they answer again
  std::chrono::milliseconds at{0};
};

struct ClientMetrics {
  std::string client;
  OperationMetrics requests;      // gets, puts and removes, end to end
  std::uint64_t passed_over = 0;  // attempts given up on for the next candidate
  std::uint64_t read_repairs = 0;  // replicas sent the newer versions a client-coordinated read found
  std::uint64_t ring_updates = 0;  // newer rings taken
  std::uint64_t unmatched_replies = 0;
  ClientGauges gauges;
};

// Written by the client's executor only; snapshot() from any thread.
class ClientMetricsRecorder {
 public:
  OperationRecorder requests;
  Counter passed_over, read_repairs, ring_updates, unmatched_replies;
  Published<ClientGauges> gauges;

  ClientMetrics snapshot(std::string client) const;
};

}  // namespace dynamo::metrics
