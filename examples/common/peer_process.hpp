#pragma once
// One dynamo-peer process started by another program: the multi-process tests and the load
// benchmark. The child is started with PR_SET_PDEATHSIG = SIGKILL, so it dies with its parent
// even if the parent crashes, and the destructor kills and reaps it, so nothing is left behind,
// failing or not.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace examples {

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

}  // namespace examples
