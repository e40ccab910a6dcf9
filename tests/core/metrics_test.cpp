// The metrics' pieces: latency buckets and percentiles, outcomes by error code, and the
// Prometheus exposition (one sample per line, histograms cumulative, label values escaped).

#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>

#include "dynamo/metrics/prometheus.hpp"

namespace dynamo::metrics {
namespace {

using std::chrono::microseconds;

// Every sample line of an exposition, by its name and labels as written.
std::map<std::string, double> samples_of(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    const std::string value = line.substr(space + 1);
    samples[line.substr(0, space)] = value == "+Inf" ? 1e300 : std::stod(value);
  }
  return samples;
}

TEST_CASE("a latency histogram counts at most a power of two exactly and reads percentiles back "
          "within its bucket",
          "[metrics]") {
  LatencyRecorder recorder;
  recorder.record(microseconds(64));
  recorder.record(microseconds(65));
  recorder.record(microseconds(1000));
  recorder.record(microseconds(0));
  const LatencySnapshot s = recorder.snapshot();
  CHECK(s.count() == 4);
  CHECK(s.sum_us == 1129);
  CHECK(s.count_at_most(64) == 2);  // 0 and 64: a bound is inclusive, as Prometheus' le
  CHECK(s.count_at_most(128) == 3);
  CHECK(s.count_at_most(1024) == 4);
  CHECK(s.percentile(0.25) <= microseconds(1));
  const auto median = s.percentile(0.5).count();
  CHECK(median >= 56);
  CHECK(median <= 72);
  const auto top = s.percentile(1.0).count();
  CHECK(top >= 875);
  CHECK(top <= 1125);
  CHECK(LatencySnapshot{}.percentile(0.99) == microseconds(0));
}

TEST_CASE("operations count by kind and by the error code they ended with", "[metrics]") {
  OperationRecorder recorder;
  recorder.record(OperationKind::put, {}, microseconds(10));
  recorder.record(OperationKind::put, make_error_code(errc::quorum_not_reached), microseconds(10));
  recorder.record(OperationKind::get, make_error_code(std::errc::io_error), microseconds(10));
  const OperationMetrics m = recorder.snapshot();
  CHECK(m.ok(OperationKind::put) == 1);
  CHECK(m.count(OperationKind::put, errc::quorum_not_reached) == 1);
  CHECK(m.total(OperationKind::put) == 2);
  CHECK(m.failed(OperationKind::get) == 1);
  CHECK(m.count(OperationKind::get, other_outcome) == 1);
  CHECK(m.latency_of(OperationKind::put).count() == 2);
  CHECK(outcome_name(outcome_of(make_error_code(errc::resolver_failed))) == "resolver_failed");
  CHECK(outcome_name(outcome_of({})) == "ok");
}

TEST_CASE("a node's metrics render as Prometheus text: counters, cumulative histograms, peers",
          "[metrics]") {
  NodeMetricsRecorder recorder;
  recorder.requests.record(OperationKind::get, {}, microseconds(100));
  recorder.requests.record(OperationKind::get, {}, microseconds(3000));
  recorder.coordinated.record(OperationKind::put, make_error_code(errc::quorum_not_reached),
                              microseconds(200000));
  recorder.hints_stored.add(3);
  NodeGauges gauges;
  gauges.keys = 7;
  gauges.peers.push_back({"b\"x\\", PeerState::suspected, 2.5});
  recorder.gauges.set(gauges);
  const NodeMetrics m = recorder.snapshot("a");
  CHECK(m.quorum_failures() == 1);
  const auto s = samples_of(to_prometheus(m));
  CHECK(s.at(R"(dynamo_operations_total{node="a",role="host",kind="get",outcome="ok"})") == 2);
  CHECK(s.at(R"(dynamo_operations_total{node="a",role="coordinator",kind="put",outcome="quorum_not_reached"})") == 1);
  CHECK_FALSE(s.contains(R"(dynamo_operations_total{node="a",role="host",kind="get",outcome="timeout"})"));
  CHECK(s.at(R"(dynamo_operation_duration_seconds_bucket{node="a",role="host",kind="get",le="0.000128"})") == 1);
  CHECK(s.at(R"(dynamo_operation_duration_seconds_bucket{node="a",role="host",kind="get",le="0.004096"})") == 2);
  CHECK(s.at(R"(dynamo_operation_duration_seconds_bucket{node="a",role="host",kind="get",le="+Inf"})") == 2);
  CHECK(s.at(R"(dynamo_operation_duration_seconds_count{node="a",role="host",kind="get"})") == 2);
  CHECK(s.at(R"(dynamo_operation_duration_seconds_sum{node="a",role="host",kind="get"})") ==
        Approx(0.0031));
  CHECK(s.at(R"(dynamo_quorum_failures_total{node="a"})") == 1);
  CHECK(s.at(R"(dynamo_hints_stored_total{node="a"})") == 3);
  CHECK(s.at(R"(dynamo_storage_keys{node="a"})") == 7);
  CHECK(s.at(R"(dynamo_peer_state{node="a",peer="b\"x\\",state="suspected"})") == 1);
  CHECK(s.at(R"(dynamo_peer_state{node="a",peer="b\"x\\",state="up"})") == 0);
  CHECK(s.at(R"(dynamo_peer_phi{node="a",peer="b\"x\\"})") == 2.5);
  // Each bucket holds at least what the one below it does.
  double below = 0;
  for (int bits = 6; bits <= 25; ++bits) {
    std::ostringstream le;
    le.precision(12);
    le << static_cast<double>(1u << bits) / 1e6;
    const auto key = R"(dynamo_operation_duration_seconds_bucket{node="a",role="coordinator",kind="put",le=")" +
                     le.str() + "\"}";
    INFO(key);
    REQUIRE(s.contains(key));
    CHECK(s.at(key) >= below);
    below = s.at(key);
  }
  CHECK(below == 1);
}

TEST_CASE("a client's metrics render as Prometheus text", "[metrics]") {
  ClientMetricsRecorder recorder;
  recorder.requests.record(OperationKind::remove, make_error_code(errc::timeout), microseconds(5));
  recorder.passed_over.add(2);
  recorder.gauges.set({4, 3, {"b"}, {}});
  const auto s = samples_of(to_prometheus(recorder.snapshot("shop#1")));
  CHECK(s.at(R"(dynamo_client_operations_total{client="shop#1",kind="remove",outcome="timeout"})") == 1);
  CHECK(s.at(R"(dynamo_client_passed_over_total{client="shop#1"})") == 2);
  CHECK(s.at(R"(dynamo_client_ring_epoch{client="shop#1"})") == 4);
  CHECK(s.at(R"(dynamo_client_suspected_nodes{client="shop#1"})") == 1);
}

}  // namespace
}  // namespace dynamo::metrics
