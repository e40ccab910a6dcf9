#pragma once
// Runs an io_context until a condition holds or a deadline passes: how the example programs
// wait for one asynchronous call while connections and timers keep the context busy.

#include <chrono>
#include <functional>

#include <asio/io_context.hpp>

namespace examples {

// Runs handlers until done() or `limit` of wall time; returns done().
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace examples
