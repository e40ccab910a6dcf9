// Links the installed dynamo::tcp_instances: a Client over TcpTransport whose protocol core the
// header declares extern, so it links only if that target was exported and installed with its
// dependencies. Built a second time as consumer_umbrella, with the header and target of every
// combination (dynamo/instances/all.hpp, dynamo::stream_instances). Nothing is dialed: the
// io_context never runs. It also uses Asio's deprecated io_context::work and io_context::post,
// which a host may still use: linking dynamo must not define ASIO_NO_DEPRECATED for it.
#include <cstdio>

#include <asio/io_context.hpp>

#ifdef CONSUMER_UMBRELLA
#include <dynamo/client.hpp>
#include <dynamo/instances/all.hpp>
#else
#include <dynamo/instances/client_tcp.hpp>
#endif

int main() {
  asio::io_context io;
  dynamo::ClientConfig config;
  config.name = "consumer";
  config.seeds = {"a"};
  dynamo::StreamTransportConfig net;
  net.name = "consumer";
  net.peers = {{"a", "127.0.0.1:1"}};
  dynamo::Client<dynamo::TcpTransport> client(io.get_executor(), config,
                                              dynamo::TcpTransport(io.get_executor(), net));
  asio::io_context::work keep_running(io);
  io.post([] {});
  std::puts("consumer_tcp: ok");
  return 0;
}
