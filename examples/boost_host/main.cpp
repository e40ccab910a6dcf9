// A Boost.Asio / Beast service that keeps its data in a dynamo Node (README, "Embedding in
// your service": hosting beside Boost.Asio). Boost.Asio 1.74 and standalone Asio 1.22 cannot be
// included in one file, so this side includes Boost only, plus the Asio-free facade
// dynamo_store.hpp; dynamo runs on an io_context and a thread of the store's own, and hands
// every answer back with boost::asio::post onto this program's executor.
//
// It serves HTTP on 127.0.0.1 (a port the OS picks), then is its own client: a PUT, a GET of
// it, a GET of an absent key, an overwrite; then a clean stop, after which io_context::run()
// returns by itself. The examples.boost_host test runs it; exit code 0 when every step worked.

#include <cstdio>
#include <functional>
#include <string>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <dynamo/errc.hpp>  // error codes only: no Asio

#include "dynamo_store.hpp"
#include "kv_server.hpp"
#include "store_awaitable.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

bool check(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what);
  return ok;
}

// One HTTP exchange on a kept-alive connection.
asio::awaitable<boost_host::KvServer::Response> exchange(tcp::socket& socket,
                                                        boost::beast::flat_buffer& buffer,
                                                        http::verb verb, std::string target,
                                                        std::string body = {}) {
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.body() = std::move(body);
  request.prepare_payload();
  co_await http::async_write(socket, request, asio::use_awaitable);
  http::response<http::string_body> response;
  co_await http::async_read(socket, buffer, response, asio::use_awaitable);
  co_return response;
}

}  // namespace

int main() {
  asio::io_context io;
  boost_host::DynamoStore::Options options;
  options.name = "store";
  options.listen = "127.0.0.1:0";
  // The handoff: the store's answers run on this program's io_context, not the store's thread.
  options.deliver = [executor = io.get_executor()](std::function<void()> completion) {
    asio::post(executor, std::move(completion));
  };
  boost_host::DynamoStore store(options);
  boost_host::KvServer server(io.get_executor(), store);
  server.start();
  std::printf("dynamo node on 127.0.0.1:%u, HTTP on 127.0.0.1:%u\n", unsigned{store.port()},
              unsigned{server.port()});

  bool all_ok = true;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket(io);
        co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), server.port()},
                                      asio::use_awaitable);
        boost::beast::flat_buffer buffer;
        auto put = co_await exchange(socket, buffer, http::verb::put, "/kv/cart:42", "book");
        all_ok &= check(put.result() == http::status::no_content, "PUT /kv/cart:42 is stored");
        auto get = co_await exchange(socket, buffer, http::verb::get, "/kv/cart:42");
        all_ok &= check(get.result() == http::status::ok && get.body() == "book",
                        "GET /kv/cart:42 answers what was put");
        auto absent = co_await exchange(socket, buffer, http::verb::get, "/kv/cart:43");
        all_ok &= check(absent.result() == http::status::not_found, "an absent key is 404");
        co_await exchange(socket, buffer, http::verb::put, "/kv/cart:42", "book,pen");
        auto again = co_await exchange(socket, buffer, http::verb::get, "/kv/cart:42");
        all_ok &= check(again.result() == http::status::ok && again.body() == "book,pen",
                        "a second PUT replaces the value");
        socket.close();

        // Clean stop: the server stops accepting, the store stops its node and joins its thread;
        // then nothing is left on io, and io.run() returns by itself.
        server.stop();
        store.stop();
        const std::error_code late = co_await boost_host::async_put(store, "cart:42", "x");
        all_ok &= check(late == dynamo::errc::shutdown,
                        "a stopped store fails calls with shutdown");
      },
      asio::detached);
  io.run();
  all_ok &= check(true, "io.run() returned after the stop");
  return all_ok ? 0 : 1;
}
