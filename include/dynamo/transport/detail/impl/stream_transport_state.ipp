#pragma once

#include <asio/connect.hpp>
#include <asio/post.hpp>

#if defined(__linux__)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace dynamo::detail {

inline asio::ip::tcp::endpoint parse_endpoint(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    throw std::invalid_argument("address \"" + address + "\" is not host:port");
  }
  std::string host = address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  const std::string port_text = address.substr(colon + 1);
  char* end = nullptr;
  const unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
  if (ec || *end != '\0' || port > 65535) {
    throw std::invalid_argument("address \"" + address + "\" is not a numeric host:port");
  }
  return {ip, static_cast<std::uint16_t>(port)};
}

template <class Traits>
void StreamTransportState<Traits>::start() {
  if (config_.listen.empty()) return;
  const auto endpoint = parse_endpoint(config_.listen);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept();
}

template <class Traits>
void StreamTransportState<Traits>::stop() {
  if (stopped_) return;
  stopped_ = true;
  handler_ = nullptr;
  unreachable_handler_ = nullptr;
  std::error_code ignored;
  acceptor_.close(ignored);
  for (auto& [id, timer] : timers_) timer->cancel();
  timers_.clear();
  for (const ConnectionPtr& conn : std::set<ConnectionPtr>(connections_)) close(conn);
}

template <class Traits>
void StreamTransportState<Traits>::accept() {
  acceptor_.async_accept([self = this->shared_from_this()](std::error_code ec,
                                                           asio::ip::tcp::socket socket) {
    if (self->stopped_) return;
    if (!ec) {
      if (self->accepted_open_ >= self->config_.max_connections) {
        ++self->stats_.refused_over_limit;
        socket.close(ec);
      } else {
        ++self->stats_.accepted;
        ++self->accepted_open_;
        self->tune(socket);
        auto conn = std::make_shared<Connection>(
            Traits::wrap(std::move(socket), self->context_), self->executor_, false);
        self->connections_.insert(conn);
        self->handshake(conn);
      }
    }
    self->accept();
  });
}

// Arms the connection's single deadline; when it fires the connection closes and `counter`
// (if any) goes up. Reads and writes re-arm it with the idle timeout.
template <class Traits>
void StreamTransportState<Traits>::arm(const ConnectionPtr& conn, std::chrono::milliseconds timeout,
                                       std::uint64_t* counter) {
  conn->deadline.expires_after(timeout);
  conn->deadline.async_wait([self = this->shared_from_this(), conn, counter](std::error_code ec) {
    if (ec || conn->closed) return;
    if (counter) ++*counter;
    // A connection idle in both directions lost nothing: its peer is not reported unreachable.
    self->close(conn, counter != &self->stats_.idle_closed);
  });
}

template <class Traits>
void StreamTransportState<Traits>::handshake(const ConnectionPtr& conn) {
  arm(conn, config_.handshake_timeout, &stats_.handshake_failures);
  Traits::handshake(conn->stream, conn->outbound,
                    [self = this->shared_from_this(), conn](std::error_code ec) {
                      if (conn->closed) return;
                      if (ec) {
                        ++self->stats_.handshake_failures;
                        // A peer that fails the handshake is not redialled on every send.
                        if (conn->outbound) self->back_off(conn->peer);
                        self->log("handshake with " + (conn->peer.empty() ? "a new connection" : conn->peer) +
                                  " failed: " + ec.message());
                        return self->close(conn);
                      }
                      conn->ready = true;
                      self->arm(conn, self->config_.idle_timeout, &self->stats_.idle_closed);
                      self->read_more(conn);
                      self->flush(conn);
                    });
}

template <class Traits>
void StreamTransportState<Traits>::dial(const ConnectionPtr& conn, const std::string& address) {
  asio::ip::tcp::endpoint endpoint;
  try {
    endpoint = parse_endpoint(address);
  } catch (const std::invalid_argument& e) {
    log(e.what());
    return close(conn);
  }
  bind_source(Traits::socket(conn->stream), endpoint.protocol());
  arm(conn, config_.connect_timeout, &stats_.connect_failures);
  Traits::socket(conn->stream).async_connect(
      endpoint, [self = this->shared_from_this(), conn](std::error_code ec) {
        if (conn->closed) return;
        if (ec) {
          ++self->stats_.connect_failures;
          self->back_off(conn->peer);
          return self->close(conn);
        }
        self->backoff_.erase(conn->peer);
        self->tune(Traits::socket(conn->stream));
        self->handshake(conn);
      });
}

// Frames go out as soon as they are written (no Nagle delay: a request is one small frame), and
// a connection whose sent bytes stay unacknowledged for stall_timeout is closed by the kernel.
template <class Traits>
void StreamTransportState<Traits>::tune(asio::ip::tcp::socket& socket) {
  std::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
#if defined(__linux__) && defined(TCP_USER_TIMEOUT)
  const unsigned int stall_ms = static_cast<unsigned int>(config_.stall_timeout.count());
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &stall_ms, sizeof stall_ms);
#endif
}

// A node listening on a specific address dials from it too, so its peers (and a firewall) see
// one address for everything it sends. A failure here only leaves the choice to the system.
template <class Traits>
void StreamTransportState<Traits>::bind_source(asio::ip::tcp::socket& socket,
                                               const asio::ip::tcp& protocol) {
  if (config_.listen.empty()) return;
  const asio::ip::address local = parse_endpoint(config_.listen).address();
  if (local.is_unspecified() || (local.is_v4() != (protocol == asio::ip::tcp::v4()))) return;
  std::error_code ec;
  socket.open(protocol, ec);
  if (!ec) socket.bind({local, 0}, ec);
  if (ec) log("dialing from " + local.to_string() + " failed: " + ec.message());
}

// Tells the owner, once the current handler returns, that frames for `peer` were dropped.
template <class Traits>
void StreamTransportState<Traits>::report_unreachable(const std::string& peer) {
  if (!unreachable_handler_ || stopped_) return;
  ++stats_.unreachable_reports;
  asio::post(executor_, [self = this->shared_from_this(), peer] {
    if (self->unreachable_handler_ && !self->stopped_) {
      const UnreachableHandler handler = self->unreachable_handler_;
      handler(peer);
    }
  });
}

// Exponential backoff with jitter: a peer that refused a connection is not dialed again until
// the delay passes, and frames for it fail fast meanwhile.
template <class Traits>
void StreamTransportState<Traits>::back_off(const std::string& peer) {
  Backoff& b = backoff_[peer];
  b.delay = b.delay.count() == 0 ? config_.reconnect_min : std::min(b.delay * 2, config_.reconnect_max);
  const auto jitter = std::chrono::milliseconds(rng_() % (b.delay.count() / 2 + 1));
  b.until = now() + b.delay / 2 + jitter;
}

template <class Traits>
void StreamTransportState<Traits>::send(std::string_view peer, std::string frame) {
  if (stopped_) return;
  const bool is_hello = frame.size() > 3 &&
                        static_cast<std::uint8_t>(frame[3]) ==
                            static_cast<std::uint8_t>(wire::MessageType::hello);
  if (is_hello) hello_ = frame;
  const auto route = routes_.find(peer);
  if (route != routes_.end()) return enqueue(route->second, std::move(frame));
  const auto address = config_.peers.find(std::string(peer));
  const auto b = backoff_.find(std::string(peer));
  if (address == config_.peers.end()) {
    ++stats_.dropped_sends;  // not known yet: nothing was tried, so nothing is reported
    return;
  }
  if (b != backoff_.end() && now() < b->second.until) {
    ++stats_.dropped_sends;
    return report_unreachable(std::string(peer));
  }
  auto conn = std::make_shared<Connection>(Traits::make(executor_, context_), executor_, true);
  conn->peer = std::string(peer);
  connections_.insert(conn);
  routes_[conn->peer] = conn;
  if (!is_hello && !hello_.empty()) enqueue(conn, hello_);
  enqueue(conn, std::move(frame));
  dial(conn, address->second);
}

template <class Traits>
void StreamTransportState<Traits>::enqueue(const ConnectionPtr& conn, std::string frame) {
  if (conn->queued_bytes + frame.size() > config_.max_queue_bytes) {
    ++stats_.dropped_sends;
    return;
  }
  conn->queued_bytes += frame.size();
  conn->queue.push_back(std::move(frame));
  // Written once the handler that queued this returns, with whatever else it queues for the
  // same peer meanwhile (e.g. the replies to a batch of frames read at once): one write each.
  if (conn->writing || conn->flush_posted) return;
  conn->flush_posted = true;
  asio::post(executor_, [self = this->shared_from_this(), conn] {
    conn->flush_posted = false;
    self->flush(conn);
  });
}

// Writes every queued frame in one batch: one system call for many small frames.
template <class Traits>
void StreamTransportState<Traits>::flush(const ConnectionPtr& conn) {
  if (!conn->ready || conn->writing || conn->queue.empty() || conn->closed) return;
  conn->write_batch.clear();
  const auto frames = conn->queue.size();
  for (std::string& f : conn->queue) conn->write_batch += f;
  conn->queue.clear();
  conn->queued_bytes = 0;
  conn->writing = true;
  asio::async_write(conn->stream, asio::buffer(conn->write_batch),
                    [self = this->shared_from_this(), conn, frames](std::error_code ec, std::size_t) {
                      conn->writing = false;
                      if (conn->closed) return;
                      if (ec) return self->close(conn);
                      self->stats_.frames_sent += frames;
                      self->arm(conn, self->config_.idle_timeout, &self->stats_.idle_closed);
                      self->flush(conn);
                    });
}

// Reads whatever the socket has, up to a chunk (or the rest of a large frame) at a time, and
// delivers every whole frame in it: one read per burst of frames instead of two per frame.
template <class Traits>
void StreamTransportState<Traits>::read_more(const ConnectionPtr& conn) {
  const std::size_t have = conn->inbox_size;
  const std::size_t want = std::max(kReadChunk, conn->inbox_needs > have ? conn->inbox_needs - have : 0);
  if (conn->inbox_capacity < have + want) {
    const std::size_t capacity = std::max(have + want, 2 * conn->inbox_capacity);
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (have > 0) std::memcpy(bigger.get(), conn->inbox.get(), have);
    conn->inbox = std::move(bigger);
    conn->inbox_capacity = capacity;
  }
  conn->stream.async_read_some(
      asio::buffer(conn->inbox.get() + have, conn->inbox_capacity - have),
      [self = this->shared_from_this(), conn](std::error_code ec, std::size_t n) {
        if (conn->closed) return;
        if (ec) return self->close(conn);
        conn->inbox_size += n;
        self->arm(conn, self->config_.idle_timeout, &self->stats_.idle_closed);
        self->deliver_frames(conn);
        if (!conn->closed) self->read_more(conn);
      });
}

// Cuts the whole frames off the front of the connection's inbox and delivers them; a bad header
// closes the connection as soon as its bytes arrive, before any body is waited for.
template <class Traits>
void StreamTransportState<Traits>::deliver_frames(const ConnectionPtr& conn) {
  std::size_t pos = 0;
  conn->inbox_needs = 0;
  while (conn->inbox_size - pos >= wire::frame_header_size) {
    const char* front = conn->inbox.get() + pos;
    wire::FrameHeader header;
    if (wire::parse_frame_header(std::string_view(front, wire::frame_header_size),
                                 config_.limits, header)) {
      ++stats_.malformed_frames;
      log("closing a connection that sent a bad frame header");
      return close(conn);
    }
    const std::size_t total = wire::frame_header_size + header.body_length;
    if (conn->inbox_size - pos < total) {
      conn->inbox_needs = total;
      break;
    }
    deliver(conn, std::string(front, total));
    if (conn->closed) return;
    pos += total;
  }
  conn->inbox_size -= pos;
  if (conn->inbox_size > 0 && pos > 0) {
    std::memmove(conn->inbox.get(), conn->inbox.get() + pos, conn->inbox_size);
  }
  // A large frame's buffer is not kept by an idle connection.
  if (conn->inbox_size == 0 && conn->inbox_capacity > 4 * kReadChunk) {
    conn->inbox.reset();
    conn->inbox_capacity = 0;
  }
}

// An accepted connection is named by its first frame, which must be a Hello; until then nothing
// from it reaches the node.
template <class Traits>
void StreamTransportState<Traits>::deliver(const ConnectionPtr& conn, std::string frame) {
  if (conn->peer.empty()) {
    wire::Message first;
    const auto* hello = wire::decode_frame(frame, config_.limits, first)
                            ? nullptr
                            : std::get_if<wire::Hello>(&first);
    if (!hello || hello->node_name.empty()) {
      ++stats_.malformed_frames;
      log("closing a connection whose first frame is not a Hello");
      return close(conn);
    }
    conn->peer = hello->node_name;
    // The peer reached us, so this connection works: send on it unless our own dial to the peer
    // already does. A dial still connecting (perhaps a SYN lost to a partition that has since
    // healed) hands its queued frames over instead of holding them until it times out.
    const auto route = routes_.find(conn->peer);
    if (route == routes_.end() || !route->second->outbound) {
      routes_[conn->peer] = conn;
    } else if (!route->second->ready) {
      const ConnectionPtr dialing = route->second;
      routes_[conn->peer] = conn;
      for (std::string& queued : dialing->queue) enqueue(conn, std::move(queued));
      dialing->queue.clear();
      dialing->queued_bytes = 0;
    }
  }
  ++stats_.frames_received;
  if (handler_) {
    const ReceiveHandler handler = handler_;  // the handler may stop the transport
    handler(conn->peer, frame);
  }
}

template <class Traits>
void StreamTransportState<Traits>::close(const ConnectionPtr& conn, bool report) {
  if (conn->closed) return;
  conn->closed = true;
  conn->deadline.cancel();
  std::error_code ignored;
  Traits::socket(conn->stream).close(ignored);
  if (!conn->outbound) --accepted_open_;
  connections_.erase(conn);
  const auto route = routes_.find(conn->peer);
  const bool was_route = route != routes_.end() && route->second == conn;
  if (was_route) routes_.erase(route);
  stats_.dropped_sends += conn->queue.size();
  conn->queue.clear();
  // A dialed connection that was the way to its peer and ends (refused, timed out, broken,
  // stalled) may have taken frames with it: the owner may want to ask another peer.
  if (report && conn->outbound && was_route) report_unreachable(conn->peer);
}

template <class Traits>
TimerId StreamTransportState<Traits>::schedule(std::chrono::milliseconds delay,
                                                std::function<void()> task) {
  const TimerId id = ++next_timer_;
  auto timer = std::make_shared<asio::steady_timer>(executor_, delay);
  timers_.emplace(id, timer);
  timer->async_wait([self = this->shared_from_this(), id, task = std::move(task)](std::error_code ec) {
    if (ec || self->stopped_ || self->timers_.erase(id) == 0) return;
    task();
  });
  return id;
}

template <class Traits>
void StreamTransportState<Traits>::cancel(TimerId id) {
  const auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

}  // namespace dynamo::detail
