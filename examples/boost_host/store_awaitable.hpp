#pragma once
// DynamoStore's calls as Boost.Asio awaitables, for the Boost side of the host:
//   std::error_code ec = co_await async_put(store, key, value);
//   auto [ec, values] = co_await async_get(store, key);
// The store hands each completion to its Options::deliver, which a Boost host makes a
// boost::asio::post to its own executor: the coroutine resumes there, never on the store's
// thread. Errors are values (std::error_code is not Boost's, so nothing is thrown).

#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "dynamo_store.hpp"

namespace boost_host {

// A std::function needs a copyable target, and Boost's awaitable handler is move-only.
template <class Handler>
auto copyable(Handler handler) {
  auto shared = std::make_shared<Handler>(std::move(handler));
  return [shared](auto&&... results) { (*shared)(std::forward<decltype(results)>(results)...); };
}

inline auto async_put(DynamoStore& store, std::string key, std::string value) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(std::error_code)>(
      [&store](auto handler, std::string k, std::string v) {
        store.put(std::move(k), std::move(v), copyable(std::move(handler)));
      },
      boost::asio::use_awaitable, std::move(key), std::move(value));
}

inline auto async_get(DynamoStore& store, std::string key) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                     void(std::error_code, std::vector<std::string>)>(
      [&store](auto handler, std::string k) {
        store.get(std::move(k), copyable(std::move(handler)));
      },
      boost::asio::use_awaitable, std::move(key));
}

}  // namespace boost_host
