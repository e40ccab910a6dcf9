#pragma once
// Metrics in Prometheus' text exposition format (version 0.0.4), as dynamo-peer's
// --metrics-listen serves them. Every series is labelled with the node (or client) name;
// counters end in _total; latencies are histograms in seconds whose `le` bounds are powers of
// two microseconds (64 us to 33.6 s), exact for latencies measured to the microsecond.

#include <string>

#include "dynamo/metrics/client_metrics.hpp"
#include "dynamo/metrics/node_metrics.hpp"

namespace dynamo::metrics {

std::string to_prometheus(const NodeMetrics& m);
std::string to_prometheus(const ClientMetrics& m);

}  // namespace dynamo::metrics
