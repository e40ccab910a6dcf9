#pragma once
// Runs an operation on an executor and completes an Asio completion token with its result, so
// one body serves callbacks, asio::use_future and asio::use_awaitable alike.
//
// start(done) is called on `executor`; it calls done(args...) exactly once, possibly later and
// from inside the protocol core. The handler then runs on its associated executor (by default
// `executor`), never inside start's own call frame. Until it has run, the operation counts as
// outstanding work on that executor, as Asio's own operations do: an io_context::run() the
// handler is bound to does not return before it.

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

namespace dynamo::detail {

template <class Signature>
struct AsyncOp;

// A plain callback (a lambda or function object with one call operator, or a function
// pointer): a completion token that will be called directly, so its signature can be checked
// here, where the message is readable, rather than deep inside Asio.
template <class Token>
concept PlainCallback = requires { &std::decay_t<Token>::operator(); } ||
                        std::is_function_v<std::remove_pointer_t<std::decay_t<Token>>>;

template <class... Args>
struct AsyncOp<void(Args...)> {
  template <class Executor, class Token, class Start>
  static auto start(const Executor& executor, Token&& token, Start start) {
    if constexpr (PlainCallback<Token> && !std::is_invocable_v<std::decay_t<Token>, Args...>) {
      static_assert(PlainCallback<Token> && std::is_invocable_v<std::decay_t<Token>, Args...>,
                    "dynamo: this completion handler cannot be called with the operation's "
                    "result: a get wants void(std::error_code, dynamo::GetResult), a put or "
                    "remove void(std::error_code, dynamo::WriteResult), a join or leave "
                    "void(std::error_code, dynamo::MembershipResult), a stop "
                    "void(std::error_code)");
    } else {
      return asio::async_initiate<Token, void(Args...)>(
          [executor](auto handler, Start body) {
            using Handler = decltype(handler);
            const auto target = asio::get_associated_executor(handler, executor);
            // Handlers may be move-only; the core's callbacks are std::function, so share it.
            struct Pending {
              Handler handler;
              asio::executor_work_guard<std::decay_t<decltype(target)>> work;
            };
            auto shared = std::make_shared<Pending>(Pending{std::move(handler), asio::make_work_guard(target)});
            std::function<void(Args...)> done = [shared](Args... args) {
              const auto where = shared->work.get_executor();
              asio::post(where, [shared, ... args = std::move(args)]() mutable {
                std::move(shared->handler)(std::move(args)...);
                shared->work.reset();
              });
            };
            asio::post(executor, [body = std::move(body), done = std::move(done)]() mutable {
              body(std::move(done));
            });
          },
          token, std::move(start));
    }
  }
};

}  // namespace dynamo::detail
