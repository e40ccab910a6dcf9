#pragma once
// The shared state behind a stream transport handle: listener, connections by peer, timers,
// backoff. Asynchronous operations hold a shared_ptr to it, so the handle can be moved into a
// Node while operations are in flight; stop() detaches the receive handler before anything
// else, so nothing reaches a node that is gone.
//
// Framing: every connection carries wire frames. The first frame on a connection must be a
// Hello (it names the peer), so the transport repeats the last Hello its owner sent at the start
// of each connection it dials. Bad input closes the connection and counts it; it never reaches
// the node, and other connections are unaffected.

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>

#include <asio/ip/tcp.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>

#include "dynamo/concepts.hpp"
#include "dynamo/transport/detail/stream_connection.hpp"
#include "dynamo/transport/stream_config.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo::detail {

// Parses "host:port" (numeric IPv4/IPv6 or "localhost"); throws std::invalid_argument.
asio::ip::tcp::endpoint parse_endpoint(const std::string& address);

template <class Traits>
class StreamTransportState : public std::enable_shared_from_this<StreamTransportState<Traits>> {
 public:
  using Connection = StreamConnection<Traits>;
  using ConnectionPtr = std::shared_ptr<Connection>;

  // Every handler runs on a strand of `executor` (the listener, sockets and timers are made on
  // it, and posts go to it), so the transport and its owner may be driven by an io_context that
  // runs on many threads.
  StreamTransportState(asio::any_io_executor executor, StreamTransportConfig config,
                       typename Traits::context_type* context)
      : executor_(asio::make_strand(std::move(executor))),
        config_(std::move(config)),
        context_(context),
        acceptor_(executor_),
        started_(std::chrono::steady_clock::now()),
        rng_(std::random_device{}()) {}

  // Binds the listener (throws std::system_error if the address is taken) and starts accepting.
  void start();
  void stop();

  void send(std::string_view peer, std::string frame);
  void on_receive(ReceiveHandler handler) { handler_ = std::move(handler); }
  void on_unreachable(UnreachableHandler handler) { unreachable_handler_ = std::move(handler); }
  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> task);
  void cancel(TimerId id);
  std::chrono::milliseconds now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started_);
  }
  std::chrono::microseconds now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 started_);
  }
  std::uint64_t random() { return rng_(); }

  void add_peer(std::string name, std::string address) {
    config_.peers.insert_or_assign(std::move(name), std::move(address));
  }
  std::uint16_t local_port() const { return port_; }
  const asio::any_io_executor& executor() const { return executor_; }
  bool stopped() const { return stopped_; }
  const StreamTransportStats& stats() const { return stats_; }

 private:
  // How much a read asks the socket for: many small frames at once, few syscalls per frame.
  static constexpr std::size_t kReadChunk = 16 * 1024;

  void accept();
  void dial(const ConnectionPtr& conn, const std::string& address);
  void handshake(const ConnectionPtr& conn);
  void read_more(const ConnectionPtr& conn);
  void deliver_frames(const ConnectionPtr& conn);
  void deliver(const ConnectionPtr& conn, std::string frame);
  void flush(const ConnectionPtr& conn);
  void enqueue(const ConnectionPtr& conn, std::string frame);
  void arm(const ConnectionPtr& conn, std::chrono::milliseconds timeout, std::uint64_t* counter);
  // Closes the connection; a dialed one that was its peer's route is reported unreachable
  // unless `report` is false.
  void close(const ConnectionPtr& conn, bool report = true);
  void back_off(const std::string& peer);
  void tune(asio::ip::tcp::socket& socket);
  void bind_source(asio::ip::tcp::socket& socket, const asio::ip::tcp& protocol);
  void report_unreachable(const std::string& peer);
  void log(const std::string& line) const {
    if (config_.log) config_.log(config_.name + ": " + line);
  }

  asio::any_io_executor executor_;  // a strand: see the constructor
  StreamTransportConfig config_;
  typename Traits::context_type* context_;  // the TLS context, or nullptr for plain TCP
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::mt19937_64 rng_;
  ReceiveHandler handler_;
  UnreachableHandler unreachable_handler_;
  bool stopped_ = false;
  std::string hello_;  // the last Hello frame the owner sent: each dialed connection starts with it
  std::set<ConnectionPtr> connections_;
  std::map<std::string, ConnectionPtr, std::less<>> routes_;  // peer -> connection to send on
  struct Backoff {
    std::chrono::milliseconds delay{0};
    std::chrono::milliseconds until{0};
  };
  std::map<std::string, Backoff> backoff_;
  std::map<TimerId, std::shared_ptr<asio::steady_timer>> timers_;
  TimerId next_timer_ = 0;
  std::size_t accepted_open_ = 0;
  StreamTransportStats stats_;
};

}  // namespace dynamo::detail

#include "dynamo/transport/detail/impl/stream_transport_state.ipp"
