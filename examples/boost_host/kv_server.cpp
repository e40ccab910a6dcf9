// KvServer: Beast's HTTP parsing and writing in C++20 coroutines on the host's executor; each
// request awaits the store, whose answer comes back on that same executor.

#include "kv_server.hpp"

#include <string>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "store_awaitable.hpp"

namespace boost_host {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

KvServer::KvServer(asio::any_io_executor executor, DynamoStore& store)
    : acceptor_(executor, {asio::ip::make_address("127.0.0.1"), 0}),
      port_(acceptor_.local_endpoint().port()),
      store_(store) {}

void KvServer::start() { asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached); }

void KvServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> KvServer::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // stop() closed the acceptor
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> KvServer::serve(tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    boost::system::error_code ec;
    Request request;
    co_await http::async_read(socket, buffer, request,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // the client closed the connection, or sent garbage
    Response response = co_await answer(request);
    co_await http::async_write(socket, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) co_return;
  }
}

asio::awaitable<KvServer::Response> KvServer::answer(const Request& request) {
  Response response{http::status::not_found, request.version()};
  response.keep_alive(request.keep_alive());
  const std::string target(request.target().data(), request.target().size());
  const std::string prefix = "/kv/";
  if (target.size() > prefix.size() && target.compare(0, prefix.size(), prefix) == 0) {
    const std::string key = target.substr(prefix.size());
    if (request.method() == http::verb::put) {
      const std::error_code ec = co_await async_put(store_, key, request.body());
      response.result(ec ? http::status::service_unavailable : http::status::no_content);
    } else if (request.method() == http::verb::get) {
      auto [ec, values] = co_await async_get(store_, key);
      if (ec) {
        response.result(http::status::service_unavailable);
      } else if (values.size() == 1) {
        response.result(http::status::ok);
        response.body() = values.front();
      } else if (values.size() > 1) {
        response.result(http::status::conflict);
        for (const std::string& value : values) response.body() += value + "\n";
      }
    } else {
      response.result(http::status::method_not_allowed);
    }
  }
  response.prepare_payload();
  co_return response;
}

}  // namespace boost_host
