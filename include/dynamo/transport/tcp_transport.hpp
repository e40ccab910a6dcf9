#pragma once
// TcpTransport: the Transport for real networks, on standalone Asio. One connection per peer
// (dialed on first send, redialed with exponential backoff and jitter, capped low so a peer is
// used again soon after it comes back), frames written in batches, a bounded send queue per
// peer (beyond it sends fail fast, and the node's timeouts treat the peer as slow), connect,
// stall and idle timeouts, a report to the owner when a peer cannot be reached, and a cap on
// accepted connections.
// Garbage, truncated or oversized frames close the offending connection and are counted in
// stats(); nothing else is disturbed.
//
// The transport is a handle onto shared state, so it can be moved into a Node. Destroying the
// last handle, or stop(), closes every connection; a node that owned it has already failed its
// pending requests with errc::shutdown.
//
// Thread safety: the transport runs every handler of its own on a strand of the executor given
// at construction (get_executor()), so that executor may run on any number of threads. A Node
// or Client that owns the transport posts its operations to that strand too: the protocol core
// then runs one handler at a time whatever the host's threads. post() may be called from any
// thread; the other calls only on the strand (as the core makes them), or before the transport
// is moved into its owner.

#include <memory>

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>

#include "dynamo/transport/detail/stream_transport_state.hpp"

namespace dynamo {
namespace detail {

// Plain TCP: the stream is the socket and the handshake is a no-op.
struct PlainStreamTraits {
  using stream_type = asio::ip::tcp::socket;
  using context_type = void;

  static stream_type make(const asio::any_io_executor& executor, void*) {
    return stream_type(executor);
  }
  static stream_type wrap(asio::ip::tcp::socket socket, void*) { return socket; }
  static asio::ip::tcp::socket& socket(stream_type& stream) { return stream; }
  template <class Handler>
  static void handshake(stream_type& stream, bool, Handler&& handler) {
    asio::post(stream.get_executor(), [h = std::forward<Handler>(handler)]() mutable {
      h(std::error_code{});
    });
  }
};

// The handle shared by TcpTransport and TlsTransport.
template <class Traits>
class BasicStreamTransport {
 public:
  // Starts listening on config.listen at once; throws std::system_error if it cannot bind and
  // std::invalid_argument for an address that is not host:port.
  BasicStreamTransport(asio::any_io_executor executor, StreamTransportConfig config,
                       typename Traits::context_type* context = nullptr)
      : state_(std::make_shared<StreamTransportState<Traits>>(std::move(executor),
                                                              std::move(config), context)) {
    state_->start();
  }
  BasicStreamTransport(BasicStreamTransport&&) noexcept = default;
  BasicStreamTransport& operator=(BasicStreamTransport&&) noexcept = default;
  ~BasicStreamTransport() {
    if (state_) state_->stop();
  }

  void send(std::string_view peer, std::string frame) { state_->send(peer, std::move(frame)); }
  void on_receive(ReceiveHandler handler) { state_->on_receive(std::move(handler)); }
  // Reports a peer whose frames were dropped because it could not be reached (concepts.hpp).
  void on_unreachable(UnreachableHandler handler) { state_->on_unreachable(std::move(handler)); }
  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> task) {
    return state_->schedule(delay, std::move(task));
  }
  void cancel(TimerId id) { state_->cancel(id); }
  std::chrono::milliseconds now() const { return state_->now(); }
  // now() to the microsecond, for latency metrics (FineClock in concepts.hpp).
  std::chrono::microseconds now_us() const { return state_->now_us(); }
  std::uint64_t wall_clock_ms() const {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  }
  std::uint64_t random() { return state_->random(); }
  // The strand on which every handler of the transport runs: its owner's core runs there too.
  asio::any_io_executor get_executor() const { return state_->executor(); }
  // May be called from any thread (concepts.hpp).
  void post(std::function<void()> task) {
    asio::post(state_->executor(), [state = std::weak_ptr(state_), task = std::move(task)] {
      if (const auto alive = state.lock(); alive && !alive->stopped()) task();
    });
  }

  // The port actually bound (useful with "127.0.0.1:0").
  std::uint16_t local_port() const { return state_->local_port(); }
  const StreamTransportStats& stats() const { return state_->stats(); }
  // Adds or changes the address of a peer to dial.
  void add_peer(std::string name, std::string address) {
    state_->add_peer(std::move(name), std::move(address));
  }
  void stop() { state_->stop(); }

 private:
  std::shared_ptr<StreamTransportState<Traits>> state_;
};

}  // namespace detail

using TcpTransport = detail::BasicStreamTransport<detail::PlainStreamTraits>;
static_assert(Transport<TcpTransport>);
static_assert(ReportsUnreachable<TcpTransport>);

}  // namespace dynamo
