#pragma once
// PeerProcesses: a 3-node cluster of dynamo-peer processes on 127.0.0.1, started by this program
// and stopped with SIGTERM when it ends, each logging to DIR/NAME.log. It also reads how much CPU
// the peers used from /proc, so the benchmark can report CPU time per operation for the whole
// cluster.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace load {

class PeerProcesses {
 public:
  // base_port 0: ports the OS reports free.
  PeerProcesses(const std::string& binary, std::uint16_t base_port, const std::string& storage,
                const std::filesystem::path& dir, std::uint32_t n, std::uint32_t r,
                std::uint32_t w) {
    const std::vector<std::string> names{"a", "b", "c"};
    std::string peers;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto port = base_port ? base_port + i : free_port();
      addresses_[names[i]] = "127.0.0.1:" + std::to_string(port);
      peers += (i ? "," : "") + names[i] + "=" + addresses_[names[i]];
    }
    for (const std::string& name : names) {
      std::vector<std::string> args{binary, "--name", name, "--peers", peers,
                                    "--n", std::to_string(n), "--r", std::to_string(r),
                                    "--w", std::to_string(w), "--storage", storage};
      if (storage == "log") {
        args.push_back("--data-dir");
        args.push_back((dir / name).string());
      }
      pids_.push_back(spawn(args, dir / (name + ".log")));
    }
  }

  ~PeerProcesses() {
    for (pid_t pid : pids_) kill(pid, SIGTERM);
    for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
  }

  PeerProcesses(const PeerProcesses&) = delete;
  PeerProcesses& operator=(const PeerProcesses&) = delete;

  const std::map<std::string, std::string>& addresses() const { return addresses_; }

  // User + system CPU seconds the peers have used so far.
  double cpu_seconds() const {
    double total = 0;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    for (pid_t pid : pids_) {
      std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // Fields after the command name, which is in parentheses and may hold spaces.
      std::istringstream rest(text.substr(text.rfind(')') + 2));
      std::string field;
      for (int i = 3; i <= 13; ++i) rest >> field;
      unsigned long long utime = 0, stime = 0;
      rest >> utime >> stime;
      total += static_cast<double>(utime + stime) / ticks;
    }
    return total;
  }

 private:
  // A port nothing listens on now: bind port 0, read what the kernel chose, close.
  static std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
    return ntohs(addr.sin_port);
  }

  static pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
    }
    return pid;
  }

  std::map<std::string, std::string> addresses_;
  std::vector<pid_t> pids_;
};

}  // namespace load
