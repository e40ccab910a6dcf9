#pragma once
// TlsTransport: TcpTransport's behaviour over TLS with mutual authentication. Every node and
// client presents a certificate signed by the cluster's CA and checks the other side's against
// it; a connection without one, or with another CA's, fails its handshake, is closed, logged and
// counted (stats().handshake_failures). TLS 1.3 only unless allow_tls12 is set.

#include <string>

#include <asio/ssl.hpp>

#include "dynamo/transport/tcp_transport.hpp"

namespace dynamo {

struct TlsConfig {
  std::string ca_file;    // PEM: the cluster CA that signs every member's certificate
  std::string cert_file;  // PEM: this endpoint's certificate, signed by that CA
  std::string key_file;   // PEM: its private key
  bool allow_tls12 = false;
};

namespace detail {

struct TlsStreamTraits {
  using stream_type = asio::ssl::stream<asio::ip::tcp::socket>;
  using context_type = asio::ssl::context;

  static stream_type make(const asio::any_io_executor& executor, context_type* context) {
    return stream_type(executor, *context);
  }
  static stream_type wrap(asio::ip::tcp::socket socket, context_type* context) {
    return stream_type(std::move(socket), *context);
  }
  static asio::ip::tcp::socket& socket(stream_type& stream) { return stream.next_layer(); }
  template <class Handler>
  static void handshake(stream_type& stream, bool dialed, Handler&& handler) {
    stream.async_handshake(dialed ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
                           std::forward<Handler>(handler));
  }
};

// Builds the mutual-TLS context; throws std::system_error naming the file that failed to load.
std::shared_ptr<asio::ssl::context> make_tls_context(const TlsConfig& tls);

}  // namespace detail

class TlsTransport {
 public:
  // Throws std::system_error if a certificate or key does not load or the address cannot be
  // bound, std::invalid_argument for an address that is not host:port.
  TlsTransport(asio::any_io_executor executor, StreamTransportConfig config, const TlsConfig& tls)
      : context_(detail::make_tls_context(tls)),
        stream_(std::move(executor), std::move(config), context_.get()) {}

  void send(std::string_view peer, std::string frame) { stream_.send(peer, std::move(frame)); }
  void on_receive(ReceiveHandler handler) { stream_.on_receive(std::move(handler)); }
  void on_unreachable(UnreachableHandler handler) { stream_.on_unreachable(std::move(handler)); }
  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> task) {
    return stream_.schedule(delay, std::move(task));
  }
  void cancel(TimerId id) { stream_.cancel(id); }
  std::chrono::milliseconds now() const { return stream_.now(); }
  std::chrono::microseconds now_us() const { return stream_.now_us(); }
  std::uint64_t wall_clock_ms() const { return stream_.wall_clock_ms(); }
  std::uint64_t random() { return stream_.random(); }
  void post(std::function<void()> task) { stream_.post(std::move(task)); }
  asio::any_io_executor get_executor() const { return stream_.get_executor(); }

  std::uint16_t local_port() const { return stream_.local_port(); }
  const StreamTransportStats& stats() const { return stream_.stats(); }
  void add_peer(std::string name, std::string address) {
    stream_.add_peer(std::move(name), std::move(address));
  }
  void stop() { stream_.stop(); }

 private:
  std::shared_ptr<asio::ssl::context> context_;  // outlives every connection using it
  detail::BasicStreamTransport<detail::TlsStreamTraits> stream_;
};

static_assert(Transport<TlsTransport>);
static_assert(ReportsUnreachable<TlsTransport>);

}  // namespace dynamo
