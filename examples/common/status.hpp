#pragma once
// Asks every peer of a cluster for its status at once: what dynamo-cli status and the demo's
// hint count are built on.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include <dynamo/wire/messages.hpp>

#include "common/run_until.hpp"

namespace examples {

// The status replies (with_metrics: carrying each node's metrics) of the peers that answered
// within `limit`, by peer name. The replies live
// in state shared with the callbacks, which may run after this returns.
template <class Client>
std::map<std::string, dynamo::wire::StatusReply> ask_status(Client& client,
                                                            const std::vector<std::string>& peers,
                                                            asio::io_context& io,
                                                            std::chrono::milliseconds limit,
                                                            bool with_metrics = false) {
  struct Replies {
    std::size_t answered = 0;
    std::map<std::string, dynamo::wire::StatusReply> ok;
  };
  auto replies = std::make_shared<Replies>();
  for (const std::string& peer : peers) {
    client.async_status(peer, with_metrics, [replies, name = peer](std::error_code ec,
                                                     dynamo::wire::StatusReply r) {
      ++replies->answered;
      if (!ec) replies->ok.emplace(name, std::move(r));
    });
  }
  run_until(io, [&] { return replies->answered == peers.size(); }, limit);
  return replies->ok;
}

}  // namespace examples
