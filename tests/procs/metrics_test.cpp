// Metrics as an operator scrapes them: three dynamo-peer processes with --metrics-listen on
// OS-picked ports, writes and reads through dynamo-cli, then GET /metrics over HTTP from each
// peer: Prometheus' text format, every put and get counted once by the node that coordinated
// it, the peers up; dynamo-cli stats summarizes the same figures. The endpoint answers 404,
// 405 and 431 to what it does not serve.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "procs/peer_cluster.hpp"

using namespace dynamo::test;
using namespace std::chrono_literals;

namespace {

// The port `name` logged for its metrics endpoint ("<name>: metrics at http://127.0.0.1:P/...").
std::uint16_t metrics_port(const PeerCluster& cluster, const std::string& name) {
  const std::string marker = name + ": metrics at http://127.0.0.1:";
  REQUIRE(wait_for_text(cluster.log_of(name), marker, 10s));
  std::ifstream log(cluster.log_of(name));
  std::stringstream text;
  text << log.rdbuf();
  const std::string all = text.str();
  const auto at = all.find(marker) + marker.size();
  return static_cast<std::uint16_t>(std::stoul(all.substr(at, all.find('/', at) - at)));
}

// Sends `request` as is to 127.0.0.1:port and returns the whole response (the server closes).
std::string http(std::uint16_t port, const std::string& request) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(request));
  std::string response;
  std::error_code ec;
  asio::read(socket, asio::dynamic_buffer(response), ec);
  CHECK((!ec || ec == asio::error::eof || ec == asio::error::connection_reset));
  return response;
}

std::string get(std::uint16_t port, const std::string& path) {
  return http(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

// The value of one sample line (name and labels exactly as written), or 0 if absent.
double sample(const std::string& body, const std::string& series) {
  const auto at = body.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(body.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("each peer serves its metrics over HTTP in Prometheus' format, and dynamo-cli stats "
          "sums them up",
          "[procs][metrics]") {
  PeerCluster cluster("metrics", {"a", "b", "c"}, {"--metrics-listen", "127.0.0.1:0"});
  cluster.start_all();
  std::map<std::string, std::uint16_t> ports;
  for (const std::string& name : cluster.names()) ports[name] = metrics_port(cluster, name);

  constexpr int puts = 5;
  constexpr int gets = 3;
  for (int i = 0; i < puts; ++i) {
    const auto run = run_cli(cluster, "put" + std::to_string(i),
                             {"put", "cart:" + std::to_string(i), "book"});
    INFO(run.output);
    REQUIRE(run.exit_status == 0);
  }
  for (int i = 0; i < gets; ++i) {
    const auto run = run_cli(cluster, "get" + std::to_string(i),
                             {"get", "cart:" + std::to_string(i)});
    INFO(run.output);
    REQUIRE(run.exit_status == 0);
  }

  double coordinated_puts = 0;
  double coordinated_gets = 0;
  for (const auto& [name, port] : ports) {
    const std::string response = get(port, "/metrics");
    INFO(name << ":\n" << response);
    REQUIRE(response.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(response.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    const std::string body = response.substr(response.find("\r\n\r\n") + 3);
    CHECK(body.find("# TYPE dynamo_operations_total counter") != std::string::npos);
    CHECK(body.find("# TYPE dynamo_operation_duration_seconds histogram") != std::string::npos);
    const std::string node = "node=\"" + name + "\"";
    coordinated_puts += sample(body, "dynamo_operations_total{" + node +
                                         ",role=\"coordinator\",kind=\"put\",outcome=\"ok\"}");
    // A dynamo-cli process makes its get before it has the ring, so a node coordinates it
    // (a client with the ring coordinates its reads itself, ReadCoordination::client).
    coordinated_gets += sample(body, "dynamo_operations_total{" + node +
                                         ",role=\"coordinator\",kind=\"get\",outcome=\"ok\"}");
    CHECK(sample(body, "dynamo_quorum_failures_total{" + node + "}") == 0);
    CHECK(sample(body, "dynamo_ring_members{" + node + "}") == 3);
    for (const std::string& other : cluster.names()) {
      if (other == name) continue;
      CHECK(sample(body, "dynamo_peer_state{" + node + ",peer=\"" + other + "\",state=\"up\"}") == 1);
    }
    // The latency histogram's +Inf bucket holds every coordinated put.
    CHECK(sample(body, "dynamo_operation_duration_seconds_bucket{" + node +
                           ",role=\"coordinator\",kind=\"put\",le=\"+Inf\"}") ==
          sample(body, "dynamo_operations_total{" + node +
                           ",role=\"coordinator\",kind=\"put\",outcome=\"ok\"}"));
  }
  CHECK(coordinated_puts == puts);  // each put coordinated by exactly one node, once
  CHECK(coordinated_gets == gets);

  const std::uint16_t a = ports.at("a");
  CHECK(get(a, "/").rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  CHECK(http(a, "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 405", 0) == 0);
  CHECK(http(a, "GET /metrics HTTP/1.1\r\nX: " + std::string(9000, 'x')).rfind("HTTP/1.1 431", 0) == 0);
  CHECK(get(a, "/metrics").rfind("HTTP/1.1 200 OK\r\n", 0) == 0);  // still serving

  const auto stats = run_cli(cluster, "stats", {"stats"});
  INFO(stats.output);
  CHECK(stats.exit_status == 0);
  for (const std::string& name : cluster.names()) {
    CHECK(stats.output.find(name + " 127.0.0.1:") != std::string::npos);
  }
  CHECK(std::regex_search(stats.output, std::regex("coordinated  put [1-5], p50 <= [0-9.]+ ms")));
  CHECK(stats.output.find("quorum failures 0") != std::string::npos);
  CHECK(std::regex_search(stats.output, std::regex("peers: [abc] up \\(phi [0-9.]+\\)")));
  const auto raw = run_cli(cluster, "stats-raw", {"stats", "--raw"});
  CHECK(raw.exit_status == 0);
  CHECK(raw.output.find("# TYPE dynamo_operations_total counter") != std::string::npos);
}
