#pragma once
// Runs an operation on an executor and completes an Asio completion token with its result, so
// one body serves callbacks, asio::use_future and asio::use_awaitable alike.
//
// start(done) is called on `executor`; it calls done(args...) exactly once, possibly later and
// from inside the protocol core. The handler then runs on its associated executor (by default
// `executor`), never inside start's own call frame.

#include <functional>
#include <memory>
#include <utility>

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/post.hpp>

namespace dynamo::detail {

template <class Signature>
struct AsyncOp;

template <class... Args>
struct AsyncOp<void(Args...)> {
  template <class Executor, class Token, class Start>
  static auto start(const Executor& executor, Token&& token, Start start) {
    return asio::async_initiate<Token, void(Args...)>(
        [executor](auto handler, Start body) {
          using Handler = decltype(handler);
          // Handlers may be move-only; the core's callbacks are std::function, so share it.
          auto shared = std::make_shared<Handler>(std::move(handler));
          std::function<void(Args...)> done = [executor, shared](Args... args) {
            const auto target = asio::get_associated_executor(*shared, executor);
            asio::post(target, [shared, ... args = std::move(args)]() mutable {
              std::move (*shared)(std::move(args)...);
            });
          };
          asio::post(executor, [body = std::move(body), done = std::move(done)]() mutable {
            body(std::move(done));
          });
        },
        token, std::move(start));
  }
};

}  // namespace dynamo::detail
