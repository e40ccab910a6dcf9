#pragma once
// Three Nodes over TcpTransport on loopback ports the OS picks, in one io_context, and clients
// of them: the cluster the net tests drive (tcp_cluster_test.cpp, lifecycle_test.cpp).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "dynamo/instances/client_tcp.hpp"
#include "dynamo/instances/node_tcp_memory.hpp"
#include "net/net_support.hpp"

namespace dynamo::test {

using namespace std::chrono_literals;

// Three nodes on ports the OS picks, resolving with R; a node can be stopped and started again
// on its port.
template <class R = KeepSiblings>
struct LoopbackCluster {
  using TcpNode = Node<MemoryStorage, TcpTransport, R>;
  using TcpClient = Client<TcpTransport, R>;

  asio::io_context io;
  std::function<void(std::string_view)> log;
  std::chrono::milliseconds request_timeout;
  std::vector<std::string> names{"a", "b", "c"};
  std::map<std::string, std::uint16_t> ports;
  std::map<std::string, std::unique_ptr<TcpNode>> nodes;

  // `log` takes every node's and client's log lines; `timeout` is each node's request_timeout
  // (the client's is four times that).
  explicit LoopbackCluster(std::function<void(std::string_view)> log_lines = {},
                           std::chrono::milliseconds timeout = 500ms)
      : log(std::move(log_lines)), request_timeout(timeout) {
    for (const auto& name : names) ports[name] = 0;
    for (const auto& name : names) start(name);
  }

  Config config(const std::string& name) const {
    Config c;
    c.name = name;
    c.log = log ? log_lines(log) : LogSink{};
    for (const auto& n : names) c.members.push_back({n, {}, 1, {}});
    c.request_timeout = request_timeout;
    c.hint_replay_interval = 100ms;
    c.transfer_check_interval = 100ms;
    c.suspect_period = 500ms;
    return c;
  }

  void start(const std::string& name) {
    StreamTransportConfig t;
    t.name = name;
    t.listen = "127.0.0.1:" + std::to_string(ports[name]);
    for (const auto& [peer, port] : ports) {
      if (peer != name && port != 0) t.peers[peer] = "127.0.0.1:" + std::to_string(port);
    }
    TcpTransport transport(io.get_executor(), t);
    ports[name] = transport.local_port();
    nodes[name] = std::make_unique<TcpNode>(io.get_executor(), config(name), MemoryStorage{},
                                            std::move(transport));
    // Tell the others where the (re)started node listens.
    for (auto& [other, node] : nodes) {
      if (other != name) node->core().transport().add_peer(name, "127.0.0.1:" + std::to_string(ports[name]));
    }
  }

  std::unique_ptr<TcpClient> client() {
    StreamTransportConfig t;
    t.name = "client";
    for (const auto& [peer, port] : ports) t.peers[peer] = "127.0.0.1:" + std::to_string(port);
    ClientConfig c;
    c.name = "client";
    c.log = log ? log_lines(log) : LogSink{};
    c.seeds = names;
    c.request_timeout = 4 * request_timeout;
    return std::make_unique<TcpClient>(io.get_executor(), c, TcpTransport(io.get_executor(), t));
  }
};

// Runs `op` (given a callback) and the io_context until the callback ran; its arguments.
template <class Result, class Op>
std::pair<std::error_code, Result> await(asio::io_context& io, Op op) {
  std::optional<std::pair<std::error_code, Result>> out;
  op([&](std::error_code ec, Result r) { out.emplace(ec, std::move(r)); });
  REQUIRE(test::run_until(io, [&] { return out.has_value(); }));
  return std::move(*out);
}

}  // namespace dynamo::test
