// Harness for README blocks that build a Node from parts made elsewhere: they may name
//   io      the host's asio::io_context,
//   config  a dynamo::Config for this node,
//   net     a dynamo::StreamTransportConfig for its TCP transport.
#include "prelude_network.hpp"

// README uses

void readme_snippet([[maybe_unused]] asio::io_context& io,
                    [[maybe_unused]] const dynamo::Config& config,
                    [[maybe_unused]] const dynamo::StreamTransportConfig& net) {
// README snippet
}

int main() {}
