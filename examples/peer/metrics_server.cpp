// The HTTP exchange of MetricsServer: read a request head, answer it, close.

#include "peer/metrics_server.hpp"

#include <chrono>
#include <string_view>

#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/peer_list.hpp"

namespace examples {
namespace {

constexpr std::size_t max_head = 8192;
constexpr std::chrono::seconds head_timeout{5};

std::string response(std::string_view status, std::string_view content_type, const std::string& body) {
  std::string out = "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size());
  out += "\r\nConnection: close\r\n\r\n";
  out += body;
  return out;
}

// The answer to a request head: its first line is "METHOD TARGET HTTP/x.y".
std::string answer(std::string_view head, const std::function<std::string()>& render) {
  const std::string_view line = head.substr(0, head.find("\r\n"));
  const auto first = line.find(' ');
  const auto second = line.find(' ', first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) {
    return response("400 Bad Request", "text/plain", "bad request\n");
  }
  const std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  target = target.substr(0, target.find('?'));
  if (target != "/metrics") return response("404 Not Found", "text/plain", "try /metrics\n");
  if (method != "GET") {
    return response("405 Method Not Allowed", "text/plain", "GET only\n");
  }
  return response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render());
}

// One connection: owns its socket, buffer and timer until the answer is written.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(asio::ip::tcp::socket s, std::shared_ptr<std::function<std::string()>> r)
      : socket(std::move(s)), timer(socket.get_executor()), render(std::move(r)) {}

  void start() {
    timer.expires_after(head_timeout);
    timer.async_wait([self = shared_from_this()](std::error_code ec) {
      if (!ec) self->socket.close();
    });
    asio::async_read_until(socket, asio::dynamic_buffer(head, max_head), "\r\n\r\n",
                           [self = shared_from_this()](std::error_code ec, std::size_t) {
                             self->on_head(ec);
                           });
  }
  void on_head(std::error_code ec) {
    timer.cancel();
    if (ec == asio::error::not_found) {
      reply = response("431 Request Header Fields Too Large", "text/plain", "too large\n");
    } else if (ec) {
      return;  // closed, or the timer closed it
    } else {
      reply = answer(head, *render);
    }
    asio::async_write(socket, asio::buffer(reply), [self = shared_from_this()](std::error_code, std::size_t) {
      std::error_code ignored;
      self->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      self->socket.close(ignored);
    });
  }

  asio::ip::tcp::socket socket;
  asio::steady_timer timer;
  std::shared_ptr<std::function<std::string()>> render;
  std::string head;
  std::string reply;
};

// The first address host:port resolves to (a name or a literal address).
asio::ip::tcp::endpoint endpoint_of(asio::io_context& io, const std::string& host_port) {
  check_host_port(host_port, "--metrics-listen", true);
  const auto colon = host_port.rfind(':');
  asio::ip::tcp::resolver resolver(io);
  return resolver.resolve(host_port.substr(0, colon), host_port.substr(colon + 1))->endpoint();
}

}  // namespace

MetricsServer::MetricsServer(asio::io_context& io, const std::string& host_port,
                             std::function<std::string()> render)
    : acceptor_(io, endpoint_of(io, host_port)),
      render_(std::make_shared<std::function<std::string()>>(std::move(render))) {
  accept();
}

void MetricsServer::stop() {
  std::error_code ignored;
  acceptor_.close(ignored);
}

void MetricsServer::accept() {
  acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) std::make_shared<Exchange>(std::move(socket), render_)->start();
    accept();
  });
}

}  // namespace examples
