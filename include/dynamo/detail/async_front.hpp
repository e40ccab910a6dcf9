#pragma once
// AsyncFront: the asynchronous get/put/remove API that Node and Client share, and the start of
// their membership calls. Core is a
// NodeCore or ClientCore (same get/put/remove shape); R resolves the siblings of each read.
// Every operation is posted to core_executor(), where the core lives, and completes the
// caller's token with (error_code, GetResult) or (error_code, WriteResult). A call that names
// no token gets default_completion_token_type: a deferred operation (async_op.hpp).
//
// Threading: the core is entered from two sides, by the operations posted here and by its
// transport's callbacks (frames, timers, reports). The one-executor rule is therefore provided
// where both sides meet, in the transport: TcpTransport and TlsTransport run every handler on a
// strand of the executor they are given, and the front posts its operations to that same strand
// (StrandedTransport). So a host may give a Node or Client an io_context run on any number of
// threads. Provided rather than refused: a multi-threaded executor cannot be told apart from a
// single-threaded one when it is given (io_context::run() may be called on more threads later),
// and a check at run time could only catch an overlap after the fact. A transport without a
// strand (SimTransport, or the host's own) keeps the rule as its contract (concepts.hpp).
//
// Lifetime: an operation posted before the front was stopped (async_stop) or destroyed, and
// run after, completes with errc::shutdown without touching the front: the gate it checks is
// shared, not a member. The destructor closes the gate, waiting for an operation that is
// inside it on another thread to leave, then stops the core.

#include <chrono>
#include <concepts>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>

#include "dynamo/detail/async_op.hpp"
#include "dynamo/errc.hpp"
#include "dynamo/log_record.hpp"
#include "dynamo/membership/ring_view.hpp"
#include "dynamo/quorum/request_options.hpp"

namespace dynamo::detail {

// A transport that runs its handlers one at a time on an executor of its own (a strand), and
// says which: its owner's core must run there too (TcpTransport, TlsTransport).
template <class T>
concept StrandedTransport = requires(const T& t) {
  { t.get_executor() } -> std::convertible_to<asio::any_io_executor>;
};

template <class Core, class R>
class AsyncFront {
 public:
  using executor_type = asio::any_io_executor;
  // What a call that names no token gets: a deferred operation (see default_token_t).
  using default_completion_token_type = default_token_t<executor_type>;
  using GetSignature = void(std::error_code, GetResult);
  using WriteSignature = void(std::error_code, WriteResult);
  using MembershipSignature = void(std::error_code, MembershipResult);

  // The executor given at construction: completion handlers without an executor of their own
  // run there.
  executor_type get_executor() const { return executor_; }

  // The executor on which the protocol core runs, one handler at a time: the transport's strand
  // (TcpTransport, TlsTransport), or the executor given at construction for a transport without
  // one (SimTransport). Post there to inspect core() while other threads run the io_context.
  executor_type core_executor() const { return core_executor_; }

  // Completes (with no error) once the core is ready to serve: for a Node, the ring is known,
  // the node is in it and W members (itself included) are reachable; for a Client, a node has
  // answered with the ring. Completes with errc::timeout if that takes longer than `limit`, with
  // errc::shutdown if the object stops first. Readiness is looked at every ready_poll_interval.
  template <class Token = default_completion_token_type>
  auto async_ready(std::chrono::milliseconds limit,
                   Token&& token = default_completion_token_type{}) {
    return start_op<ReadySignature>(
        std::forward<Token>(token), [this, limit](std::function<ReadySignature> done) {
          ready_waiters_.push_back({core_.transport().now() + limit, std::move(done)});
          poll_ready();
        });
  }

  // Stops: every request pending fails with errc::shutdown, timers stop, the transport closes
  // its listener and connections, and each call made afterwards completes with
  // errc::shutdown. Completes (with no error) once that is done; calling it again, or on a
  // front already stopped, completes at once. After it completed, the object may be destroyed
  // on any thread, even while its executor goes on running other work.
  template <class Token = default_completion_token_type>
  auto async_stop(Token&& token = default_completion_token_type{}) {
    using StopSignature = void(std::error_code);
    return AsyncOp<StopSignature>::start(
        core_executor_, executor_, std::forward<Token>(token),
        [this, gate = gate_](std::function<StopSignature> done) {
          std::unique_lock lock(gate->mutex);
          if (gate->open) {
            fail_ready_waiters();
            core_.stop();
            gate->open = false;
          }
          lock.unlock();
          done({});
        });
  }

  // Reads the key from R replicas. Completes with the resolver's values and a context that
  // supersedes every version read and is valid for writes of this key only. A resolver that
  // throws fails this read alone with errc::resolver_failed (the siblings and the context are
  // still given; values is empty), and the node or client logs what it threw.
  template <class Token = default_completion_token_type>
  auto async_get(Key key, ReadOptions options, Token&& token = default_completion_token_type{}) {
    return start_op<GetSignature>(
        std::forward<Token>(token),
        [this, key = std::move(key), options](std::function<GetSignature> done) mutable {
          Key read = key;
          core_.get(std::move(read), options,
                    [this, key = std::move(key), done](std::error_code ec, Siblings siblings,
                                                       QuorumReport report) {
                      if (ec) return done(ec, GetResult{{}, {}, {}, report});
                      GetResult result = resolve(key, std::move(siblings), report, ec);
                      done(ec, std::move(result));
                    });
        });
  }
  template <class Token = default_completion_token_type>
  auto async_get(Key key, Token&& token = default_completion_token_type{}) {
    return async_get(std::move(key), ReadOptions{}, std::forward<Token>(token));
  }

  // Writes value as a new version superseding what `context` covers; W replicas acknowledge.
  // Completes with the coordinator's siblings of the key, the new version among them. A context
  // read for another key fails with errc::bad_context, and nothing is written.
  template <class Token = default_completion_token_type>
  auto async_put(Key key, Context context, Value value, WriteOptions options,
                 Token&& token = default_completion_token_type{}) {
    return start_write(std::move(key), std::move(context), std::move(value), options,
                       std::forward<Token>(token));
  }
  template <class Token = default_completion_token_type>
  auto async_put(Key key, Context context, Value value,
                 Token&& token = default_completion_token_type{}) {
    return async_put(std::move(key), std::move(context), std::move(value), WriteOptions{},
                     std::forward<Token>(token));
  }

  // Writes a tombstone superseding what `context` covers.
  template <class Token = default_completion_token_type>
  auto async_remove(Key key, Context context, WriteOptions options,
                    Token&& token = default_completion_token_type{}) {
    return start_write(std::move(key), std::move(context), std::nullopt, options,
                       std::forward<Token>(token));
  }
  template <class Token = default_completion_token_type>
  auto async_remove(Key key, Context context, Token&& token = default_completion_token_type{}) {
    return async_remove(std::move(key), std::move(context), WriteOptions{},
                        std::forward<Token>(token));
  }

  // What the node or client counted and measured (metrics::NodeMetrics or ClientMetrics):
  // operations by kind and outcome with latency histograms, and the rest; gauges as of the
  // core's last refresh. Safe from any thread, as long as the object lives.
  auto metrics() const { return core_.metrics(); }

  // The protocol core, for inspection on core_executor() (tests, status output), or while no
  // thread runs the executor.
  Core& core() { return core_; }
  const Core& core() const { return core_; }

  AsyncFront(const AsyncFront&) = delete;
  AsyncFront& operator=(const AsyncFront&) = delete;
  ~AsyncFront() {
    std::lock_guard lock(gate_->mutex);
    if (gate_->open) fail_ready_waiters();
    gate_->open = false;
  }

 protected:
  // Starts an operation whose signature is void(std::error_code, Result): `body` runs on the
  // executor while the front is open; once it is stopped or destroyed the operation completes
  // with errc::shutdown and a default Result instead, touching nothing of the front.
  template <class Signature, class Token, class Body>
  auto start_op(Token&& token, Body body) {
    return AsyncOp<Signature>::start(
        core_executor_, executor_, std::forward<Token>(token),
        [gate = gate_, body = std::move(body)](std::function<Signature> done) mutable {
          std::unique_lock lock(gate->mutex);
          if (!gate->open) {
            lock.unlock();
            return fail_closed(done);
          }
          body(std::move(done));
        });
  }

  // A join or leave, through the core's change_membership (Node::async_join, Client::async_join).
  template <class Token>
  auto start_change(membership::ChangeRequest request, Token&& token) {
    return start_op<MembershipSignature>(
        std::forward<Token>(token),
        [this, request = std::move(request)](std::function<MembershipSignature> done) mutable {
          core_.change_membership(std::move(request), std::move(done));
        });
  }

  template <class... CoreArgs>
  AsyncFront(executor_type executor, R resolver, CoreArgs&&... core_args)
      : executor_(std::move(executor)),
        resolver_(std::move(resolver)),
        core_(std::forward<CoreArgs>(core_args)...),
        core_executor_(executor_of(core_.transport(), executor_)) {}

 private:
  using ReadySignature = void(std::error_code);
  static constexpr std::chrono::milliseconds ready_poll_interval{20};
  struct ReadyWaiter {
    std::chrono::milliseconds deadline;
    std::function<ReadySignature> done;
  };

  // Completes the waiters whose core is ready or whose time is up; looks again soon while any
  // is left. The timer checks the gate: it may fire after the front is gone (a simulator's
  // timers outlive a node).
  void poll_ready() {
    const bool ready = core_.ready();
    const auto now = core_.transport().now();
    std::erase_if(ready_waiters_, [&](ReadyWaiter& waiter) {
      if (!ready && now < waiter.deadline) return false;
      waiter.done(ready ? std::error_code{} : make_error_code(errc::timeout));
      return true;
    });
    if (ready_waiters_.empty() || ready_polling_) return;
    ready_polling_ = true;
    core_.transport().schedule(ready_poll_interval, [this, gate = gate_] {
      std::lock_guard lock(gate->mutex);
      if (!gate->open) return;
      ready_polling_ = false;
      poll_ready();
    });
  }

  void fail_ready_waiters() {
    for (ReadyWaiter& waiter : std::exchange(ready_waiters_, {})) {
      waiter.done(make_error_code(errc::shutdown));
    }
  }

  // Whether operations may still reach the core; shared with every operation queued.
  struct Gate {
    std::mutex mutex;
    bool open = true;
  };

  template <class Result>
  static void fail_closed(const std::function<void(std::error_code, Result)>& done) {
    done(make_error_code(errc::shutdown), Result{});
  }
  static void fail_closed(const std::function<void(std::error_code)>& done) {
    done(make_error_code(errc::shutdown));
  }

  // The read's answer: the resolver's values, and a context bound to the key that supersedes
  // every sibling. The resolver is the host's code: what it throws fails this read alone
  // (errc::resolver_failed, with the siblings and context still given) and is logged, and never
  // unwinds through the protocol core or the transport that delivered the last reply.
  GetResult resolve(const Key& key, Siblings siblings, QuorumReport report, std::error_code& ec) {
    GetResult result{{}, Context(siblings.clock(), key), {}, report};
    std::optional<std::string> failure;
    try {
      result.values = resolver_.resolve(siblings.versions());
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "an exception not derived from std::exception";
    }
    result.siblings = std::move(siblings);
    if (!failure) return result;
    if (const auto& log = core_.config().log) {
      log(LogRecord{LogLevel::error, core_.log_source(), "resolver_failed",
                    "the conflict resolver " + std::string(R::name()) + " threw on key \"" + key +
                        "\": " + *failure + "; that read fails with resolver_failed",
                    {{"resolver", std::string(R::name())}, {"key", key}, {"reason", *failure}}});
    }
    ec = make_error_code(errc::resolver_failed);
    return result;
  }

  template <class Token>
  auto start_write(Key key, Context context, std::optional<Value> value, WriteOptions options,
                   Token&& token) {
    return start_op<WriteSignature>(
        std::forward<Token>(token),
        [this, key = std::move(key), context = std::move(context), value = std::move(value),
         options](std::function<WriteSignature> done) mutable {
          auto complete = [done, key](std::error_code ec, Siblings written, QuorumReport report) {
            done(ec, WriteResult{Context(written.clock(), key), std::move(written), report});
          };
          if (value) {
            core_.put(std::move(key), context, std::move(*value), options, complete);
          } else {
            core_.remove(std::move(key), context, options, complete);
          }
        });
  }

  template <class T>
  static executor_type executor_of(const T& transport, const executor_type& given) {
    if constexpr (StrandedTransport<T>) {
      return transport.get_executor();
    } else {
      return given;
    }
  }

  executor_type executor_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::vector<ReadyWaiter> ready_waiters_;
  bool ready_polling_ = false;
  R resolver_;
  Core core_;
  executor_type core_executor_;  // after core_: taken from its transport
};

}  // namespace dynamo::detail
