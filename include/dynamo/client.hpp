#pragma once
// Client: talks to a dynamo cluster from outside it. It is partition-aware: it learns the ring
// from a seed and sends each request to a home replica of the key, which coordinates it, so a
// request costs one hop instead of two. Same asynchronous API as Node.
//
// Template parameters: T a Transport; R a ConflictResolver, which must be the nodes' own (they
// refuse a client whose resolver name differs).
//
// Thread safety, completion tokens, stopping and destruction: as Node (node.hpp). Calls are
// posted to the transport's strand, so the executor may run on many threads; a call without a
// token returns a deferred operation; async_stop fails pending requests with errc::shutdown,
// and once it completed the Client may be destroyed on any thread.

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
  using typename detail::AsyncFront<ClientCore<T>, R>::default_completion_token_type;

  using StatusSignature = void(std::error_code, wire::StatusReply);

  // Asks one node about itself and its peers: keys and hints held, a digest of its data, and
  // which peers it sees up, suspected or refused; with_metrics, its metrics too, in
  // Prometheus' text format (StatusReply::metrics; dynamo-cli stats shows them). Completes with
  // errc::timeout if it is silent.
  template <class Token = default_completion_token_type>
  auto async_status(std::string node, bool with_metrics,
                    Token&& token = default_completion_token_type{}) {
    return this->template start_op<StatusSignature>(
        std::forward<Token>(token),
        [this, node = std::move(node), with_metrics](std::function<StatusSignature> done) {
          this->core().status(node, with_metrics, std::move(done));
        });
  }
  template <class Token = default_completion_token_type>
  auto async_status(std::string node, Token&& token = default_completion_token_type{}) {
    return async_status(std::move(node), false, std::forward<Token>(token));
  }

  // Asks the cluster to admit `member`, which should be running already (a dynamo-peer started
  // outside the ring, or a Node of the host's). Any node takes the request to the ring's
  // claimant. Completes with the ring epoch that carries the change once it is planned; the new
  // member then fetches its partitions and the change completes by itself (watch it with
  // async_status). A repeated join of the same member succeeds without a change.
  // Errors: errc::invalid_request (refused: the detail says why, e.g. the name is taken),
  // errc::unavailable (the claimant is unreachable), errc::timeout (no node answered).
  template <class Token = default_completion_token_type>
  auto async_join(NewMember member, Token&& token = default_completion_token_type{}) {
    return this->start_change(
        membership::ChangeRequest{wire::ChangeKind::join, std::move(member.name),
                                  std::move(member.address), std::move(member.zone),
                                  member.weight},
        std::forward<Token>(token));
  }

  // Asks the cluster to remove `node`: its partitions move to the others, it hands off what it
  // holds, and then it may stop (dynamo-peer exits by itself). Refused if fewer than N members
  // would remain.
  template <class Token = default_completion_token_type>
  auto async_leave(std::string node, Token&& token = default_completion_token_type{}) {
    return this->start_change(
        membership::ChangeRequest{wire::ChangeKind::leave, std::move(node), {}, {}, 1},
        std::forward<Token>(token));
  }

  // Starts at once. Throws std::invalid_argument for an invalid config.
  Client(executor_type executor, ClientConfig config, T transport, R resolver = R{})
      : detail::AsyncFront<ClientCore<T>, R>(std::move(executor), std::move(resolver),
                                             std::move(config), std::string(R::name()),
                                             std::move(transport)) {}
};

}  // namespace dynamo
