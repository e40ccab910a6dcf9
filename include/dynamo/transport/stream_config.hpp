#pragma once
// Configuration and counters of the stream transports (TcpTransport, TlsTransport).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "dynamo/wire/limits.hpp"

namespace dynamo {

struct StreamTransportConfig {
  std::string name;    // this endpoint's name, as peers and the Node know it
  // "host:port" to accept on ("127.0.0.1:0" picks a free port); empty: none. A specific host
  // is also the source address of the connections this transport dials.
  std::string listen;
  std::map<std::string, std::string> peers;  // name -> "host:port" of the peers to dial

  std::size_t max_queue_bytes = std::size_t{16} << 20;  // per peer; beyond it sends fail fast
  std::size_t max_connections = 1024;                   // accepted connections at once
  // A dial that has not connected by then is abandoned (and the peer backed off): short, so a
  // peer cut off by a partition is redialed soon after it heals instead of when a SYN sent
  // into the partition is finally retransmitted.
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds handshake_timeout{2000};  // TLS handshake, once connected
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};  // nothing read or written
  // Bytes sent and not acknowledged by the peer's TCP this long close the connection
  // (TCP_USER_TIMEOUT, where the system has it), so a connection stalled by a partition is
  // redialed instead of waiting out TCP's retransmission backoff. A peer that is paused but
  // whose host is up still acknowledges, and keeps its connection.
  std::chrono::milliseconds stall_timeout{1500};
  std::chrono::milliseconds reconnect_min{50};  // first retry delay; doubles, with jitter
  std::chrono::milliseconds reconnect_max{500};
  wire::Limits limits;
  std::function<void(std::string_view)> log;
};

// What went wrong, and how often, since the transport started.
struct StreamTransportStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused_over_limit = 0;  // connections closed because max_connections was reached
  std::uint64_t handshake_failures = 0;  // TLS handshakes that failed (no or wrong certificate)
  std::uint64_t malformed_frames = 0;    // connections closed for a bad header or first frame
  std::uint64_t idle_closed = 0;         // connections closed by the idle timeout
  std::uint64_t connect_failures = 0;     // dials refused, failed or not connected in time
  std::uint64_t unreachable_reports = 0;  // times the owner was told a peer could not be reached
  std::uint64_t dropped_sends = 0;       // frames dropped: queue full, peer unknown or backing off
  std::uint64_t frames_received = 0;
  std::uint64_t frames_sent = 0;
};

}  // namespace dynamo
