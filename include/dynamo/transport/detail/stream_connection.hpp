#pragma once
// One connection of a stream transport: a socket (or TLS stream), the frames queued for it, the
// bytes read but not yet delivered, and one deadline timer (connect, handshake, then idleness).

#include <deque>
#include <memory>
#include <string>

#include <asio/steady_timer.hpp>

#include "dynamo/wire/frame.hpp"

namespace dynamo::detail {

template <class Traits>
struct StreamConnection {
  StreamConnection(typename Traits::stream_type s, asio::any_io_executor executor, bool dialed)
      : stream(std::move(s)), deadline(executor), outbound(dialed) {}

  typename Traits::stream_type stream;
  asio::steady_timer deadline;
  bool outbound;               // we dialed it; otherwise accepted
  std::string peer;            // known when dialed; learned from the first frame when accepted
  bool ready = false;          // connected and handshaken: frames may be written
  bool closed = false;
  std::deque<std::string> queue;  // frames waiting to be written
  std::size_t queued_bytes = 0;
  bool writing = false;
  bool flush_posted = false;   // a flush will run once the current handler returns
  std::string write_batch;     // the frames of the write in progress, back to back
  // Bytes read and not yet delivered, inbox[0, inbox_size): whole frames leave its front. A
  // plain buffer, since a std::string would zero every chunk a read is about to overwrite.
  std::unique_ptr<char[]> inbox;
  std::size_t inbox_capacity = 0;
  std::size_t inbox_size = 0;
  std::size_t inbox_needs = 0;  // the size of the incomplete frame at its front, once known
};

}  // namespace dynamo::detail
