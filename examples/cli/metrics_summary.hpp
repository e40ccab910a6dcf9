#pragma once
// What dynamo-cli stats prints of one node's metrics: a few lines read from the Prometheus text
// the node sent (dynamo/metrics/prometheus.hpp names the series): operations by role and kind
// with their failures and latency percentiles, quorum failures, hints, repairs, transfer,
// storage, and each peer's state and phi.

#include <string>

namespace examples {

std::string summarize_metrics(const std::string& prometheus_text);

}  // namespace examples
