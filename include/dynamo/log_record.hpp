#pragma once
// LogRecord: one notable event of a Node, Client or transport, for a sink the host sets
// (Config::log, ClientConfig::log). It has a level, a stable event name a program can match on,
// the sentence a person reads, and the event's figures as fields (peer, key, count...), so a
// host can route records to its own structured logger. format() gives the one-line form.
//
// The sink runs on the executor of the Node or Client that logs, inside the protocol's work:
// it must not block, and must not call back into that Node or Client.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dynamo {

enum class LogLevel : std::uint8_t {
  debug,    // request routing (ClientConfig::trace_requests) and other detail
  info,     // state changes that are part of normal life: a ring taken, hints delivered
  warning,  // something is wrong elsewhere: a peer down or refused, a frame dropped
  error,    // something is wrong here: a resolver threw, a change cannot complete
};
std::string_view to_string(LogLevel level);

struct LogField {
  std::string_view key;
  std::string value;
};

struct LogRecord {
  LogLevel level = LogLevel::info;
  std::string_view source;  // the node's name, or the client's identity
  std::string_view event;   // e.g. "peer_down", "hints_delivered": see the README's list
  std::string message;
  std::vector<LogField> fields;
};

using LogSink = std::function<void(const LogRecord&)>;

// "warning a peer_down: b is down: never heard from in 5000 ms (peer=b)".
std::string format(const LogRecord& record);

// A sink that writes format(record) of each record at or above `min` to `line`: for hosts that
// want plain lines.
LogSink log_lines(std::function<void(std::string_view)> line, LogLevel min = LogLevel::debug);

}  // namespace dynamo
