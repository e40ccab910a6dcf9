// A program that runs a Node over TCP with MemoryStorage, and a Client, as most embedders do.
// The instances.* tests read what it includes and what it links: it must pay for neither TLS
// (OpenSSL's headers, libssl) nor LogStorage. Nothing is dialed: the io_context never runs.

#include <asio/io_context.hpp>

#include <dynamo/instances/client_tcp.hpp>
#include <dynamo/instances/node_tcp_memory.hpp>

int main() {
  asio::io_context io;
  dynamo::StreamTransportConfig node_net;
  node_net.name = "a";
  node_net.listen = "127.0.0.1:0";
  dynamo::Config config;
  config.name = "a";
  config.members.push_back(dynamo::MemberConfig{.name = "a", .zone = "", .weight = 1, .address = ""});
  dynamo::Node<dynamo::MemoryStorage, dynamo::TcpTransport> node(
      io.get_executor(), config, {}, dynamo::TcpTransport(io.get_executor(), node_net));

  dynamo::StreamTransportConfig client_net;
  client_net.name = "probe";
  client_net.peers = {{"a", "127.0.0.1:1"}};
  dynamo::ClientConfig client_config;
  client_config.name = "probe";
  client_config.seeds = {"a"};
  dynamo::Client<dynamo::TcpTransport> client(
      io.get_executor(), client_config, dynamo::TcpTransport(io.get_executor(), client_net));
  return 0;
}
