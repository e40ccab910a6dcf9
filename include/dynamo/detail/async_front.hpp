#pragma once
// AsyncFront: the asynchronous get/put/remove API that Node and Client share, and the start of
// their membership calls. Core is a
// NodeCore or ClientCore (same get/put/remove shape); R resolves the siblings of each read.
// Every operation is posted to the front's executor, where the core lives, and completes the
// caller's token with (error_code, GetResult) or (error_code, WriteResult).

#include <optional>
#include <utility>

#include <asio/any_io_executor.hpp>

#include "dynamo/detail/async_op.hpp"
#include "dynamo/membership/ring_view.hpp"
#include "dynamo/node/request_options.hpp"

namespace dynamo::detail {

template <class Core, class R>
class AsyncFront {
 public:
  using executor_type = asio::any_io_executor;
  using GetSignature = void(std::error_code, GetResult);
  using WriteSignature = void(std::error_code, WriteResult);
  using MembershipSignature = void(std::error_code, MembershipResult);

  executor_type get_executor() const { return executor_; }

  // Reads the key from R replicas. Completes with the resolver's values and a context that
  // supersedes every version read.
  template <class Token>
  auto async_get(Key key, ReadOptions options, Token&& token) {
    return AsyncOp<GetSignature>::start(
        executor_, std::forward<Token>(token),
        [this, key = std::move(key), options](std::function<GetSignature> done) mutable {
          core_.get(std::move(key), options,
                    [this, done](std::error_code ec, Siblings siblings, QuorumReport report) {
                      done(ec, resolve_read(resolver_, std::move(siblings), report));
                    });
        });
  }
  template <class Token>
  auto async_get(Key key, Token&& token) {
    return async_get(std::move(key), ReadOptions{}, std::forward<Token>(token));
  }

  // Writes value as a new version superseding what `context` covers; W replicas acknowledge.
  // Completes with the coordinator's siblings of the key, the new version among them.
  template <class Token>
  auto async_put(Key key, Context context, Value value, WriteOptions options, Token&& token) {
    return start_write(std::move(key), std::move(context), std::move(value), options,
                       std::forward<Token>(token));
  }
  template <class Token>
  auto async_put(Key key, Context context, Value value, Token&& token) {
    return async_put(std::move(key), std::move(context), std::move(value), WriteOptions{},
                     std::forward<Token>(token));
  }

  // Writes a tombstone superseding what `context` covers.
  template <class Token>
  auto async_remove(Key key, Context context, WriteOptions options, Token&& token) {
    return start_write(std::move(key), std::move(context), std::nullopt, options,
                       std::forward<Token>(token));
  }
  template <class Token>
  auto async_remove(Key key, Context context, Token&& token) {
    return async_remove(std::move(key), std::move(context), WriteOptions{},
                        std::forward<Token>(token));
  }

  // The protocol core, for inspection from the executor's thread (tests, status output).
  Core& core() { return core_; }
  const Core& core() const { return core_; }

 protected:
  // A join or leave, through the core's change_membership (Node::async_join, Client::async_join).
  template <class Token>
  auto start_change(membership::ChangeRequest request, Token&& token) {
    return AsyncOp<MembershipSignature>::start(
        executor_, std::forward<Token>(token),
        [this, request = std::move(request)](std::function<MembershipSignature> done) mutable {
          core_.change_membership(std::move(request), std::move(done));
        });
  }

  template <class... CoreArgs>
  AsyncFront(executor_type executor, R resolver, CoreArgs&&... core_args)
      : executor_(std::move(executor)),
        resolver_(std::move(resolver)),
        core_(std::forward<CoreArgs>(core_args)...) {}

 private:
  template <class Token>
  auto start_write(Key key, Context context, std::optional<Value> value, WriteOptions options,
                   Token&& token) {
    return AsyncOp<WriteSignature>::start(
        executor_, std::forward<Token>(token),
        [this, key = std::move(key), context = std::move(context), value = std::move(value),
         options](std::function<WriteSignature> done) mutable {
          auto complete = [done](std::error_code ec, Siblings written, QuorumReport report) {
            done(ec, WriteResult{Context(written.clock()), std::move(written), report});
          };
          if (value) {
            core_.put(std::move(key), context, std::move(*value), options, complete);
          } else {
            core_.remove(std::move(key), context, options, complete);
          }
        });
  }

  executor_type executor_;
  R resolver_;
  Core core_;
};

}  // namespace dynamo::detail
