#pragma once
// Client: talks to a dynamo cluster from outside it. It is partition-aware: it learns the ring
// from a seed and sends each request to a home replica of the key, which coordinates it, so a
// request costs one hop instead of two. Same asynchronous API as Node.
//
// Template parameters: T a Transport; R a ConflictResolver, which must be the nodes' own (they
// refuse a client whose resolver name differs).
//
// Thread safety: as Node: calls are posted to the executor, which runs one handler at a time.

#include <asio/any_io_executor.hpp>

#include "dynamo/client/client_core.hpp"
#include "dynamo/concepts.hpp"
#include "dynamo/detail/async_front.hpp"
#include "dynamo/resolve/keep_siblings.hpp"

namespace dynamo {

template <class T, class R = KeepSiblings>
class Client : public detail::AsyncFront<ClientCore<T>, R> {
  static_assert(Transport<T>, "T must satisfy dynamo::Transport: see concepts.hpp");
  static_assert(ConflictResolver<R>, "R must satisfy dynamo::ConflictResolver: see concepts.hpp");

 public:
  using typename detail::AsyncFront<ClientCore<T>, R>::executor_type;

  // Starts at once. Throws std::invalid_argument for an invalid config.
  Client(executor_type executor, ClientConfig config, T transport, R resolver = R{})
      : detail::AsyncFront<ClientCore<T>, R>(std::move(executor), std::move(resolver),
                                             std::move(config), std::string(R::name()),
                                             std::move(transport)) {}
};

}  // namespace dynamo
