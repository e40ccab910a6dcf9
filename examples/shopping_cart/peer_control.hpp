#pragma once
// How the TCP shopping-cart demo stops and starts peers that someone else launched (such as
// scripts/demo.sh). A control directory holds, per peer NAME:
//   NAME.pid  the running peer's process id
//   NAME.cmd  the shell command line that starts it
//   NAME.log  its output (a restarted peer appends to it)

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace shopping_cart {

class PeerControl {
 public:
  explicit PeerControl(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Sends SIGKILL to the peer: it dies at once, without closing anything cleanly, as in a crash.
  // Returns the pid. Throws std::runtime_error if NAME.pid is missing or holds no pid.
  pid_t kill(const std::string& name) const;

  // Runs NAME.cmd with /bin/sh -c in the background, in a session of its own (so it outlives
  // this program), output appended to NAME.log, and records its pid in NAME.pid, so whoever
  // launched the peers can still stop it. Throws std::runtime_error if NAME.cmd is missing.
  pid_t start(const std::string& name) const;

 private:
  std::string read(const std::string& name, const char* extension) const;

  std::filesystem::path dir_;
};

// True if something accepts a TCP connection at "host:port" (a numeric IPv4 or IPv6 host).
bool accepts_connections(const std::string& address);

}  // namespace shopping_cart
