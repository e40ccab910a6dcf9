#pragma once
// KvServer: a small HTTP service on Boost.Beast that keeps its data in a DynamoStore.
//   PUT /kv/<key>   stores the body: 204, or 503 if the store failed.
//   GET /kv/<key>   200 with the value; 404 when absent; 409 with the values one per line when
//                   concurrent writes left siblings; 503 if the store failed.
// Anything else is 404 or 405. Boost side only: it includes Boost.Asio and Beast, and of
// dynamo only the Asio-free dynamo_store.hpp.

#include <cstdint>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "dynamo_store.hpp"

namespace boost_host {

class KvServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  // Listens on 127.0.0.1 at a port the OS picks; `store` must outlive the server.
  KvServer(boost::asio::any_io_executor executor, DynamoStore& store);

  std::uint16_t port() const { return port_; }
  // Accepts and serves connections on the executor until stop().
  void start();
  // Stops accepting; a connection being served ends when its client closes it. Call on the
  // executor.
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<Response> answer(const Request& request);

  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  DynamoStore& store_;
};

}  // namespace boost_host
