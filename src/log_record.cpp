// The one-line form of a LogRecord, and the plain-line sink.

#include "dynamo/log_record.hpp"

#include <utility>

namespace dynamo {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "unknown";
}

std::string format(const LogRecord& record) {
  std::string out(to_string(record.level));
  out += ' ';
  out += record.source;
  out += ' ';
  out += record.event;
  out += ": ";
  out += record.message;
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    out += i == 0 ? " (" : ", ";
    out += record.fields[i].key;
    out += '=';
    out += record.fields[i].value;
  }
  if (!record.fields.empty()) out += ')';
  return out;
}

LogSink log_lines(std::function<void(std::string_view)> line, LogLevel min) {
  return [line = std::move(line), min](const LogRecord& record) {
    if (record.level >= min) line(format(record));
  };
}

}  // namespace dynamo
