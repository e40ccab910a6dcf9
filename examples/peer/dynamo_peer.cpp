// dynamo-peer: one dynamo node as a program. It binds its address, takes its ring from its data
// directory, the founding member list (--peers) or a seed (--seeds), and serves clients until
// SIGINT or SIGTERM, or until it has left the ring and handed off everything it held. Every
// event is one timestamped line on stdout. Data lives in a LogStorage under --data-dir (or,
// with --storage memory, only in memory), so a killed and restarted peer serves everything it
// acknowledged.
//
// Example (three terminals, then a fourth node that joins):
//   dynamo-peer --name a --peers a=127.0.0.1:7001,b=127.0.0.1:7002,c=127.0.0.1:7003 --data-dir a
//   dynamo-peer --name b --peers a=127.0.0.1:7001,b=127.0.0.1:7002,c=127.0.0.1:7003 --data-dir b
//   dynamo-peer --name c --peers a=127.0.0.1:7001,b=127.0.0.1:7002,c=127.0.0.1:7003 --data-dir c
//   dynamo-peer --name d --listen 127.0.0.1:7004 --seeds a=127.0.0.1:7001 --join --data-dir d

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include <dynamo/instances/all.hpp>  // every storage over TCP and TLS, chosen at run time
#include <dynamo/metrics/prometheus.hpp>

#include "common/announced_resolver.hpp"
#include "common/args.hpp"
#include "common/connect.hpp"
#include "peer/log_line.hpp"
#include "peer/metrics_server.hpp"
#include "peer/peer_options.hpp"

namespace {

using examples::log_line;
using examples::PeerOptions;

template <class Storage, class Transport>
using PeerNode = dynamo::Node<Storage, Transport, examples::AnnouncedResolver>;

dynamo::StreamTransportConfig transport_config(const PeerOptions& o) {
  dynamo::StreamTransportConfig t;
  t.name = o.name;
  t.listen = o.listen;
  for (const auto* list : {&o.members, &o.seeds}) {
    for (const examples::PeerAddress& p : *list) {
      if (p.name != o.name) t.peers.emplace(p.name, p.address);
    }
  }
  t.log = log_line;
  return t;
}

template <class Transport>
std::string startup_line(const PeerOptions& o, std::uint16_t port) {
  std::ostringstream line;
  line << o.name << ": listening on " << o.listen << " (port " << port << "), N=" << o.n
       << " R=" << o.r << " W=" << o.w << ", transport " << examples::transport_name<Transport>()
       << ", cluster " << o.cluster << ", resolver " << o.resolver;
  if (!o.members.empty()) line << ", founding members";
  for (const examples::PeerAddress& p : o.members) line << ' ' << p.name << '=' << p.address;
  if (!o.seeds.empty()) line << ", seeds";
  for (const examples::PeerAddress& p : o.seeds) line << ' ' << p.name << '=' << p.address;
  return line.str();
}

// Opens the data directory; what recovery found is one log line.
dynamo::LogStorage open_log_storage(const PeerOptions& o) {
  dynamo::LogStorage storage(*o.data_dir, o.log);
  const dynamo::RecoveryReport& r = storage.recovery();
  std::ostringstream line;
  line << o.name << ": storage " << *o.data_dir << " (sync " << dynamo::to_string(o.log.sync)
       << "): " << storage.size() << " keys and " << storage.hint_count() << " hints from "
       << r.segments << " segment(s) in " << r.duration.count() / 1000.0 << " ms ("
       << r.indexes_used << " from indexes, " << r.segments_scanned << " scanned)";
  if (r.torn_bytes > 0) line << "; truncated a torn tail of " << r.torn_bytes << " bytes";
  if (!r.corrupt.empty()) {
    line << "; skipped " << r.corrupt.size() << " damaged record(s), first in "
         << r.corrupt.front().segment << " at offset " << r.corrupt.front().offset;
  }
  log_line(line.str());
  return storage;
}

// Watches the node once a second: with --join it asks to be admitted until it is a member;
// once it has left the ring and handed everything off, it stops the program.
template <class Node>
class Caretaker {
 public:
  Caretaker(asio::io_context& io, Node& node, const PeerOptions& o, std::function<void()> stop)
      : timer_(io), node_(node), o_(o), stop_(std::move(stop)), joining_(o.join) {
    tick();
  }

 private:
  void tick() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](std::error_code ec) {
      if (ec) return;
      const auto& core = node_.core();
      if (core.has_left()) {
        log_line(o_.name + ": left the ring and handed off every key; stopping");
        return stop_();
      }
      if (joining_ && !asking_ && core.ring_view().contains(o_.name)) joining_ = false;
      if (joining_ && !asking_ && core.ring_view().known()) ask_to_join();
      tick();
    });
  }

  void ask_to_join() {
    asking_ = true;
    node_.async_join([this](std::error_code ec, dynamo::MembershipResult r) {
      asking_ = false;
      if (!ec) joining_ = false;
      log_line(o_.name + ": join " + (ec ? "not accepted yet: " + ec.message() + ": " : "accepted: ") +
               r.detail + (ec ? "; asking again" : ""));
    });
  }

  asio::steady_timer timer_;
  Node& node_;
  const PeerOptions& o_;
  std::function<void()> stop_;
  bool joining_;
  bool asking_ = false;
};

// Runs the node on one thread until a signal, or until it has left the ring; the node (and with
// it the transport and storage) is destroyed then, which fails its pending requests, closes
// every connection and syncs the storage.
template <class Storage, class Transport>
int serve(const PeerOptions& o, dynamo::Config config, Storage storage) {
  asio::io_context io(1);
  Transport transport =
      examples::make_transport<Transport>(io.get_executor(), transport_config(o), o.tls);
  const std::uint16_t port = transport.local_port();
  auto node = std::make_unique<PeerNode<Storage, Transport>>(
      io.get_executor(), std::move(config), std::move(storage), std::move(transport));
  log_line(startup_line<Transport>(o, port));
  std::optional<examples::MetricsServer> metrics;
  if (o.metrics_listen) {
    metrics.emplace(io, *o.metrics_listen, [&node] {
      if (!node) return std::string();
      node->core().refresh_metrics();  // the gauges as of this scrape
      return dynamo::metrics::to_prometheus(node->metrics());
    });
    const std::string host = o.metrics_listen->substr(0, o.metrics_listen->rfind(':'));
    log_line(o.name + ": metrics at http://" + host + ":" + std::to_string(metrics->port()) +
             "/metrics");
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  const auto stop = [&] {
    if (metrics) metrics->stop();
    node.reset();
    io.stop();
  };
  signals.async_wait([&](std::error_code ec, int signal) {
    if (ec) return;
    log_line(o.name + ": stopping on " + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    stop();
  });
  Caretaker caretaker(io, *node, o, stop);
  io.run();
  log_line(o.name + ": stopped");
  return 0;
}

int usage_error(const std::string& what) {
  std::cerr << "dynamo-peer: " << what << "\n(dynamo-peer --help shows the options)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<PeerOptions> options;
  try {
    options = examples::parse_peer_options(argc, argv);
  } catch (const examples::UsageError& e) {
    return usage_error(e.what());
  }
  if (!options) {
    std::cout << examples::peer_usage();
    return 0;
  }
  dynamo::Config config = examples::node_config(*options);
  config.log = dynamo::log_lines(log_line);
  try {
    dynamo::validate(config);  // before binding: "r must be in 1..n" is a usage error
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  examples::AnnouncedResolver::announced() = options->resolver;
  try {
    if (!options->durable) {
      log_line(options->name + ": storage in memory only (--storage memory)");
      return options->tls
                 ? serve<dynamo::MemoryStorage, dynamo::TlsTransport>(*options, std::move(config), {})
                 : serve<dynamo::MemoryStorage, dynamo::TcpTransport>(*options, std::move(config), {});
    }
    auto storage = open_log_storage(*options);
    return options->tls ? serve<dynamo::LogStorage, dynamo::TlsTransport>(
                              *options, std::move(config), std::move(storage))
                        : serve<dynamo::LogStorage, dynamo::TcpTransport>(
                              *options, std::move(config), std::move(storage));
  } catch (const std::exception& e) {
    std::cerr << "dynamo-peer: cannot start " << options->name << ": " << e.what() << "\n";
    return 1;
  }
}
