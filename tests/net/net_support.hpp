#pragma once
// Helpers for loopback tests: run an io_context until a condition holds or a deadline passes.

#include <chrono>
#include <functional>

#include <asio/io_context.hpp>

namespace dynamo::test {

// Runs handlers until done() or `limit` of wall time; returns done().
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace dynamo::test
