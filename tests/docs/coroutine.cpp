// Harness for README blocks that run in a coroutine (co_await) beside a Client: they may name
//   io      the host's asio::io_context,
//   net     a dynamo::StreamTransportConfig for a node's TCP transport,
//   client  a dynamo::Client over TCP with the README's CartMerge (uses=cart_merge).
#include "prelude_network.hpp"

// README uses

using CartClient = dynamo::Client<dynamo::TcpTransport, CartMerge>;

asio::awaitable<void> readme_snippet([[maybe_unused]] asio::io_context& io,
                                     [[maybe_unused]] const dynamo::StreamTransportConfig& net,
                                     [[maybe_unused]] CartClient& client) {
// README snippet
}

int main() {}
