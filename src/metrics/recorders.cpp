// Snapshots of the node's and the client's metrics (node_metrics.hpp, client_metrics.hpp).

#include "dynamo/metrics/client_metrics.hpp"
#include "dynamo/metrics/node_metrics.hpp"

namespace dynamo::metrics {

std::string_view to_string(PeerState state) {
  switch (state) {
    case PeerState::up: return "up";
    case PeerState::suspected: return "suspected";
    case PeerState::down: return "down";
    case PeerState::refused: return "refused";
  }
  return "unknown";
}

std::uint64_t NodeMetrics::quorum_failures() const {
  std::uint64_t sum = 0;
  for (std::size_t k = 0; k < operation_kinds; ++k) {
    sum += coordinated.count(static_cast<OperationKind>(k), errc::quorum_not_reached);
  }
  return sum;
}

NodeMetrics NodeMetricsRecorder::snapshot(std::string node) const {
  NodeMetrics m;
  m.node = std::move(node);
  m.requests = requests.snapshot();
  m.coordinated = coordinated.snapshot();
  m.forwarded = forwarded.value();
  m.hints_stored = hints_stored.value();
  m.hints_delivered = hints_delivered.value();
  m.read_repairs = read_repairs.value();
  m.anti_entropy_exchanges = anti_entropy_exchanges.value();
  m.anti_entropy_keys_sent = anti_entropy_keys_sent.value();
  m.anti_entropy_keys_repaired = anti_entropy_keys_repaired.value();
  m.transfer_keys_fetched = transfer_keys_fetched.value();
  m.transfer_keys_dropped = transfer_keys_dropped.value();
  m.transfer_keys_handed_off = transfer_keys_handed_off.value();
  m.malformed_frames = malformed_frames.value();
  m.unmatched_replies = unmatched_replies.value();
  m.gauges = gauges.get();
  return m;
}

ClientMetrics ClientMetricsRecorder::snapshot(std::string client) const {
  ClientMetrics m;
  m.client = std::move(client);
  m.requests = requests.snapshot();
  m.passed_over = passed_over.value();
  m.read_repairs = read_repairs.value();
  m.ring_updates = ring_updates.value();
  m.unmatched_replies = unmatched_replies.value();
  m.gauges = gauges.get();
  return m;
}

}  // namespace dynamo::metrics
