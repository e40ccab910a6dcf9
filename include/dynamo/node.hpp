#pragma once
// Node: one member of a dynamo cluster inside the host process. It wires the protocol core to
// its Storage, Transport and ConflictResolver policies and offers Asio-style asynchronous
// get, put and remove that any thread may call.
//
// Template parameters:
//   S  a Storage (see concepts.hpp), e.g. MemoryStorage;
//   T  a Transport, e.g. testing::SimTransport (and the TCP transports);
//   R  a ConflictResolver, e.g. KeepSiblings (the default), LastWriteWins, or the host's own.
//
// Thread safety: any thread may call. The node runs on a strand: every call is posted to its
// transport's strand (TcpTransport and TlsTransport make one of the executor they are given),
// where the transport's own frames and timers run too, so the executor may be an io_context run
// on any number of threads (core_executor() names the strand; see detail/async_front.hpp for
// why this is provided rather than refused). A transport without a strand of its own
// (SimTransport, or the host's) needs an executor that runs one handler at a time.
// Completion handlers run on their associated executor, by default the executor given at
// construction (not the strand), each in a handler of its own: one that throws
// sends its exception out of io_context::run() as any Asio handler does, and the node, its
// connections and its other requests are untouched (call run() again to go on). A resolver
// that throws fails only its get (errc::resolver_failed; see concepts.hpp). Each operation
// counts as outstanding work on its handler's executor until the handler ran.
//
// Stopping and destruction: async_stop(token) fails every pending request with
// errc::shutdown, stops the timers and closes the transport's listener and connections; later
// calls complete with errc::shutdown. Once it has completed, the Node may be destroyed on any
// thread, even while the executor runs on. Destroying a Node that was not stopped is safe on
// the executor's thread (pending requests fail with errc::shutdown, and requests queued to it
// complete so too); from another thread, only while the executor runs none of its handlers
// (stop it first when the io_context runs on several threads).
// async_ready(limit, token) completes once the node serves (ring known, W members reachable).
// A cancellation slot bound to a handler cancels its operation: the handler runs at once with
// asio::error::operation_aborted (the request itself runs on to its end; see async_op.hpp).
//
// Completion tokens: every async_* takes one last (a callback, asio::use_future,
// asio::use_awaitable, ...). Without one it returns a deferred operation
// (asio::experimental::deferred, as Asio from 1.24 on does by default) that starts nothing
// until given a token: node.async_get("k")(asio::use_future), or in a coroutine
// co_await node.async_get("k")(asio::use_awaitable) (Asio 1.22 cannot co_await it bare).
//
// Example:
//   dynamo::Node<dynamo::MemoryStorage, Transport> node{io.get_executor(), config, {}, transport};
//   node.async_get("cart:42", [](std::error_code ec, dynamo::GetResult r) { ... });
//   auto [ec, written] = co_await node.async_put("cart:42", r.context, "book",
//                                                asio::experimental::as_tuple(asio::use_awaitable));
//   (asio::experimental::as_tuple, from <asio/experimental/as_tuple.hpp>: Asio 1.22, Debian
//   12's, has it only there; later Asio also as asio::as_tuple.)

#include <asio/any_io_executor.hpp>

#include "dynamo/concepts.hpp"
#include "dynamo/detail/async_front.hpp"
#include "dynamo/node/node_core.hpp"
#include "dynamo/resolve/keep_siblings.hpp"

namespace dynamo {

template <class S, class T, class R = KeepSiblings>
class Node : public detail::AsyncFront<NodeCore<S, T>, R> {
  static_assert(Storage<S>, "S must satisfy dynamo::Storage: see concepts.hpp");
  static_assert(Transport<T>, "T must satisfy dynamo::Transport: see concepts.hpp");
  static_assert(ConflictResolver<R>, "R must satisfy dynamo::ConflictResolver: see concepts.hpp");

 public:
  using typename detail::AsyncFront<NodeCore<S, T>, R>::executor_type;
  using typename detail::AsyncFront<NodeCore<S, T>, R>::default_completion_token_type;

  // Asks the cluster to admit this node, described by Config::name, address, zone and weight
  // (dynamo-cli join does the same from outside). The node must know the cluster: founding
  // members or a seed that answers. Completes once the claimant has planned the change, with
  // the ring epoch that carries it; the node then fetches its partitions and the change
  // completes by itself. Errors: errc::invalid_request (the claimant refused: the detail says
  // why), errc::unavailable (no ring yet, or the claimant is unreachable), errc::timeout.
  template <class Token = default_completion_token_type>
  auto async_join(Token&& token = default_completion_token_type{}) {
    const Config& self = this->core().config();
    return this->start_change(
        membership::ChangeRequest{wire::ChangeKind::join, self.name, self.address, self.zone,
                                  self.weight},
        std::forward<Token>(token));
  }

  // Asks the cluster to remove this node. It keeps serving while its partitions move to the
  // others, hands off whatever it still holds, and then core().has_left() turns true: the host
  // may stop it. Errors as async_join's; refused if fewer than N members would remain.
  template <class Token = default_completion_token_type>
  auto async_leave(Token&& token = default_completion_token_type{}) {
    return this->start_change(
        membership::ChangeRequest{wire::ChangeKind::leave, this->core().config().name, {}, {}, 1},
        std::forward<Token>(token));
  }

  // Starts at once. Throws std::invalid_argument for an invalid config.
  Node(executor_type executor, Config config, S storage, T transport, R resolver = R{})
      : detail::AsyncFront<NodeCore<S, T>, R>(std::move(executor), std::move(resolver),
                                              std::move(config), std::string(R::name()),
                                              std::move(storage), std::move(transport)) {}
};

}  // namespace dynamo
