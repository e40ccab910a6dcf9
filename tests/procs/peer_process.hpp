#pragma once
// One dynamo-peer process for the multi-process tests. The child is started with
// PR_SET_PDEATHSIG = SIGKILL, so it dies with the test process even if the test crashes, and
// the destructor kills and reaps it, so no test leaves a process behind, failing or not.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynamo::test {

class PeerProcess {
 public:
  // Starts `binary` with `args`; stdout and stderr go to `log` (truncated). Throws
  // std::system_error if fork fails; a failed exec shows as exit code 127 and a line in the log.
  PeerProcess(const std::string& binary, const std::vector<std::string>& args,
              const std::filesystem::path& log);
  ~PeerProcess() { kill(); }
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  // SIGKILL and reap: the process is gone when this returns. Idempotent.
  void kill();
  // False once the process has exited (it is reaped then).
  bool running();
  // How it ended, once it has: its exit code, or 128 + the signal that killed it.
  std::optional<int> exit_status() const { return exit_status_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// A port that was free on 127.0.0.1 a moment ago: bound to port 0, read, closed.
std::uint16_t free_port();

// Whether `file` contains `text`.
bool file_contains(const std::filesystem::path& file, std::string_view text);

// Waits until `file` contains `text`, or `limit` passes; returns whether it does.
bool wait_for_text(const std::filesystem::path& file, std::string_view text,
                   std::chrono::milliseconds limit);

}  // namespace dynamo::test
