// A service that embeds dynamo: three Nodes and a Client in one process, on one io_context,
// over TCP on loopback ports the OS picks, with a conflict resolver of the service's own. It
// waits until the cluster serves, writes concurrently from two "sessions", reads the merged
// result, gives up on a read it has no time for (cancellation), and shuts everything down so
// that io_context::run() returns by itself. The README's "Embedding in your service" walks
// through it; the examples.embedded_service test runs it. Exits 0 when every step worked.

#include <cstdio>
#include <memory>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

// Node and Client over TCP with MemoryStorage, their cores compiled once (dynamo::tcp_instances).
#include <dynamo/instances/client_tcp.hpp>
#include <dynamo/instances/node_tcp_memory.hpp>

namespace {

// The service's resolver: a value is a comma-separated set of tags, and concurrent versions
// merge by union (the paper's shopping cart, without removal). Tombstones contribute nothing.
struct TagUnion {
  static constexpr std::string_view name() { return "example.tag_union"; }

  std::vector<dynamo::Value> resolve(std::span<const dynamo::Versioned> versions) const {
    std::set<std::string> tags;
    for (const dynamo::Versioned& v : versions) {
      if (v.tombstone) continue;
      std::istringstream in(v.value);
      for (std::string tag; std::getline(in, tag, ',');) tags.insert(tag);
    }
    if (tags.empty()) return {};
    std::string merged;
    for (const std::string& tag : tags) merged += (merged.empty() ? "" : ",") + tag;
    return {merged};
  }
};
static_assert(dynamo::ConflictResolver<TagUnion>);

using ServiceNode = dynamo::Node<dynamo::MemoryStorage, dynamo::TcpTransport, TagUnion>;
using ServiceClient = dynamo::Client<dynamo::TcpTransport, TagUnion>;
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

bool check(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what);
  return ok;
}

}  // namespace

int main() {
  using namespace std::chrono_literals;
  asio::io_context io;
  const std::vector<std::string> names{"a", "b", "c"};

  // Transports first, on ports the OS picks, so that every node can be told the others' ports.
  std::vector<dynamo::TcpTransport> transports;
  for (const std::string& name : names) {
    dynamo::StreamTransportConfig net;
    net.name = name;
    net.listen = "127.0.0.1:0";
    transports.emplace_back(io.get_executor(), net);
  }
  dynamo::Config config;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string address = "127.0.0.1:" + std::to_string(transports[i].local_port());
    config.members.push_back({names[i], {}, 1, address});
  }
  config.n = 3;
  config.r = 2;
  config.w = 2;
  std::vector<std::unique_ptr<ServiceNode>> nodes;
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (const dynamo::MemberConfig& m : config.members) {
      if (m.name != names[i]) transports[i].add_peer(m.name, m.address);
    }
    dynamo::Config own = config;
    own.name = names[i];
    nodes.push_back(std::make_unique<ServiceNode>(io.get_executor(), own, dynamo::MemoryStorage{},
                                                  std::move(transports[i])));
  }

  dynamo::StreamTransportConfig client_net;
  client_net.name = "service";
  dynamo::ClientConfig client_config;
  client_config.name = "service";
  for (const dynamo::MemberConfig& m : config.members) {
    client_config.seeds.push_back(m.name);
    client_net.peers[m.name] = m.address;
  }
  auto client = std::make_unique<ServiceClient>(io.get_executor(), client_config,
                                                dynamo::TcpTransport(io.get_executor(), client_net));

  bool all_ok = true;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // 1. Readiness: every node reaches W members, the client has the ring.
        for (auto& node : nodes) {
          auto [ec] = co_await node->async_ready(5s, as_tuple);
          all_ok &= check(!ec, "a node is ready");
        }
        auto [ready_ec] = co_await client->async_ready(5s, as_tuple);
        all_ok &= check(!ready_ec, "the client is ready");

        // 2. Two sessions write the same key without seeing each other's write: siblings,
        //    which TagUnion merges on the next read.
        auto [e1, w1] = co_await client->async_put("user:7:tags", {}, "books", as_tuple);
        auto [e2, w2] = co_await nodes[1]->async_put("user:7:tags", {}, "music", as_tuple);
        all_ok &= check(!e1 && !e2, "two blind writes are acknowledged");
        auto [get_ec, read] = co_await client->async_get("user:7:tags", as_tuple);
        all_ok &= check(!get_ec && read.values == std::vector<dynamo::Value>{"books,music"},
                        "a read returns the merged tags");
        // Writing with the read's context supersedes both siblings.
        auto [e3, w3] = co_await client->async_put("user:7:tags", read.context, "books,music,film",
                                                   as_tuple);
        all_ok &= check(!e3 && w3.siblings.size() == 1, "a write with the context supersedes them");

        // 3. Errors are values: an absent key is a successful read with no values.
        auto [absent_ec, absent] = co_await client->async_get("user:8:tags", as_tuple);
        all_ok &= check(!absent_ec && absent.values.empty(), "an absent key reads as no values");

        // 4. Cancellation: a read the service no longer wants completes at once.
        asio::cancellation_signal give_up;
        std::error_code cancelled_ec;
        bool cancelled = false;
        client->async_get("user:7:tags",
                          asio::bind_cancellation_slot(give_up.slot(),
                                                       [&](std::error_code ec, dynamo::GetResult) {
                                                         cancelled_ec = ec;
                                                         cancelled = true;
                                                       }));
        give_up.emit(asio::cancellation_type::terminal);
        auto [tick_ec, tick] = co_await client->async_get("user:7:tags", as_tuple);  // a round trip
        all_ok &= check(cancelled && cancelled_ec == asio::error::operation_aborted && !tick_ec,
                        "a cancelled read completes with operation_aborted");

        // 5. Shutdown: stop the client, then the nodes; nothing of theirs is left to run, so
        //    io.run() returns by itself.
        co_await client->async_stop(asio::use_awaitable);
        for (auto& node : nodes) co_await node->async_stop(asio::use_awaitable);
        auto [late_ec, late] = co_await client->async_get("user:7:tags", as_tuple);
        all_ok &= check(late_ec == dynamo::errc::shutdown, "a stopped client answers shutdown");
      },
      asio::detached);
  io.run();
  // Stopped, so they may be destroyed here, or on any thread.
  client.reset();
  nodes.clear();
  all_ok &= check(true, "io.run() returned after the stop");
  return all_ok ? 0 : 1;
}
