#pragma once
// MetricsServer: the smallest HTTP/1.1 server Prometheus can scrape. GET /metrics answers 200
// with what `render` returns (text/plain; version=0.0.4), any other path 404, another method
// 405; one request per connection (Connection: close). A request head is bounded to 8 KB and
// 5 s, so a slow or hostile client cannot hold memory or a connection for long. It runs on the
// io_context it is given, so `render` may read the node directly.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace examples {

class MetricsServer {
 public:
  // Binds host:port (port 0: any free port). Throws std::system_error if it cannot.
  MetricsServer(asio::io_context& io, const std::string& host_port,
                std::function<std::string()> render);
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  // Stops accepting; connections being answered finish on their own.
  void stop();

 private:
  void accept();

  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<std::function<std::string()>> render_;
};

}  // namespace examples
