#pragma once
// Transports and clients, written once for TCP and TLS: programs are
// templates over the transport, and TcpTransport ignores `tls` while TlsTransport requires it.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include <asio/io_context.hpp>

#include <dynamo/instances/client_tcp.hpp>  // the cores, compiled once
#include <dynamo/instances/client_tls.hpp>

namespace examples {

template <class Transport>
Transport make_transport(const asio::any_io_executor& executor,
                         dynamo::StreamTransportConfig config,
                         const std::optional<dynamo::TlsConfig>& tls) {
  if constexpr (std::is_same_v<Transport, dynamo::TlsTransport>) {
    return Transport(executor, std::move(config), tls.value());
  } else {
    return Transport(executor, std::move(config));
  }
}

template <class Transport>
constexpr const char* transport_name() {
  return std::is_same_v<Transport, dynamo::TlsTransport> ? "tls" : "tcp";
}

// A client named `name` (a label for logs: on the wire each client is unique anyway) of the
// cluster that
// `peers` (name -> host:port) belong to: each is a seed, dialed at its address; the client
// learns the other members' addresses from the ring, and asks for it every `ring_refresh`;
// `reads` says who coordinates its reads.
template <class Transport, class Resolver = dynamo::KeepSiblings>
dynamo::Client<Transport, Resolver> make_client(asio::io_context& io, const std::string& name,
                                                const std::map<std::string, std::string>& peers,
                                                std::chrono::milliseconds request_timeout,
                                                const std::optional<dynamo::TlsConfig>& tls,
                                                const std::string& cluster = "dynamo",
                                                std::chrono::milliseconds ring_refresh =
                                                    std::chrono::seconds(5),
                                                dynamo::ReadCoordination reads =
                                                    dynamo::ReadCoordination::client) {
  dynamo::ClientConfig config;
  config.cluster = cluster;
  config.name = name;
  for (const auto& [peer, address] : peers) config.seeds.push_back(peer);
  config.request_timeout = request_timeout;
  config.ring_refresh_interval = ring_refresh;
  config.read_coordination = reads;
  dynamo::StreamTransportConfig transport;
  transport.name = name;
  transport.peers = peers;
  return dynamo::Client<Transport, Resolver>(
      io.get_executor(), std::move(config),
      make_transport<Transport>(io.get_executor(), std::move(transport), tls));
}

}  // namespace examples
