#pragma once
// Runs an operation on an executor and completes an Asio completion token with its result, so
// one body serves callbacks, asio::use_future and asio::use_awaitable alike.
//
// start(done) is called on `run_on` (where the protocol core lives: its transport's strand);
// it calls done(ec, results...) exactly once, possibly later and from inside the protocol core.
// The handler then runs on its associated executor (by default `executor`, the one the host
// gave), never inside start's own call frame, and as Asio's own operations:
// - until it has run, the operation counts as outstanding work on that executor (an
//   io_context::run() the handler is bound to does not return before it);
// - a cancellation slot bound to the handler (asio::bind_cancellation_slot, or an awaitable
//   operator such as ||) cancels it: the handler runs at once with asio::error::operation_aborted
//   and default results. The request itself goes on inside the node or client until it ends by
//   itself (a write may still land); its answer is then dropped.

#include <atomic>
#include <functional>
#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/error.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/post.hpp>

namespace dynamo::detail {

// The completion token of a call that names none: the executor type's own default if it names
// one (asio::default_completion_token_t), else deferred. Debian 12's Asio 1.22 names none for
// any_io_executor (its default is void: no default at all) and has deferred only as
// asio::experimental::deferred; Asio 1.24 on makes asio::deferred the default of every
// executor, so a call reads the same there. A deferred operation starts nothing until it is
// given a token of its own: op(callback), op(asio::use_future), co_await op(asio::use_awaitable).
template <class Executor>
using default_token_t =
    std::conditional_t<std::is_void_v<asio::default_completion_token_t<Executor>>,
                       asio::experimental::deferred_t, asio::default_completion_token_t<Executor>>;

template <class Signature>
struct AsyncOp;

// A plain callback (a lambda or function object with one call operator, or a function
// pointer): a completion token that will be called directly, so its signature can be checked
// here, where the message is readable, rather than deep inside Asio.
template <class Token>
concept PlainCallback = requires { &std::decay_t<Token>::operator(); } ||
                        std::is_function_v<std::remove_pointer_t<std::decay_t<Token>>>;

template <class... Results>
struct AsyncOp<void(std::error_code, Results...)> {
  template <class RunOn, class Executor, class Token, class Start>
  static auto start(const RunOn& run_on, const Executor& executor, Token&& token, Start start) {
    using Decayed = std::decay_t<Token>;
    if constexpr (PlainCallback<Token> &&
                  !std::is_invocable_v<Decayed, std::error_code, Results...>) {
      static_assert(PlainCallback<Token> && std::is_invocable_v<Decayed, std::error_code, Results...>,
                    "dynamo: this completion handler cannot be called with the operation's "
                    "result: a get wants void(std::error_code, dynamo::GetResult), a put or "
                    "remove void(std::error_code, dynamo::WriteResult), a join or leave "
                    "void(std::error_code, dynamo::MembershipResult), a stop "
                    "void(std::error_code)");
    } else {
      return asio::async_initiate<Token, void(std::error_code, Results...)>(
          [run_on, executor](auto handler, Start body) {
            auto pending = Pending<decltype(handler), Executor>::make(std::move(handler), executor);
            std::function<void(std::error_code, Results...)> done =
                [pending](std::error_code ec, Results... results) {
                  pending->complete(ec, std::move(results)...);
                };
            asio::post(run_on, [body = std::move(body), done = std::move(done)]() mutable {
              body(std::move(done));
            });
          },
          token, std::move(start));
    }
  }

 private:
  // The handler, the work it keeps outstanding, and whether it has been called: by the
  // operation's end or by a cancellation, whichever comes first.
  template <class Handler, class Executor>
  struct Pending : std::enable_shared_from_this<Pending<Handler, Executor>> {
    using Target = asio::associated_executor_t<Handler, Executor>;

    Pending(Handler h, const Executor& executor)
        : handler(std::move(h)),
          work(asio::make_work_guard(asio::get_associated_executor(handler, executor))),
          slot(asio::get_associated_cancellation_slot(handler)) {}

    static std::shared_ptr<Pending> make(Handler h, const Executor& executor) {
      auto pending = std::make_shared<Pending>(std::move(h), executor);
      if (pending->slot.is_connected()) {
        pending->slot.assign([weak = std::weak_ptr(pending)](asio::cancellation_type type) {
          if (type == asio::cancellation_type::none) return;
          if (const auto alive = weak.lock()) {
            alive->complete(make_error_code(asio::error::operation_aborted), Results{}...);
          }
        });
      }
      return pending;
    }

    // Calls the handler on its executor, once; later calls do nothing.
    void complete(std::error_code ec, Results... results) {
      if (called.exchange(true)) return;
      asio::post(work.get_executor(),
                 [self = this->shared_from_this(), ec, ... results = std::move(results)]() mutable {
                   if (self->slot.is_connected()) self->slot.clear();
                   std::move(self->handler)(ec, std::move(results)...);
                   self->work.reset();
                 });
    }

    Handler handler;
    asio::executor_work_guard<Target> work;
    asio::associated_cancellation_slot_t<Handler> slot;
    std::atomic<bool> called{false};
  };
};

}  // namespace dynamo::detail
