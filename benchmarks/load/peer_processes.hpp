#pragma once
// PeerProcesses: a 3-node cluster of dynamo-peer processes on 127.0.0.1, started by this program
// (examples::PeerProcess: they die with it) and stopped when it ends, each logging to
// DIR/NAME.log. It also reads how much CPU the peers used from /proc, so the benchmark can
// report CPU time per operation for the whole cluster.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/peer_process.hpp"

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
      const auto port = base_port ? base_port + i : examples::free_port();
      addresses_[names[i]] = "127.0.0.1:" + std::to_string(port);
      peers += (i ? "," : "") + names[i] + "=" + addresses_[names[i]];
    }
    for (const std::string& name : names) {
      std::vector<std::string> args{"--name", name, "--peers", peers,
                                    "--n", std::to_string(n), "--r", std::to_string(r),
                                    "--w", std::to_string(w), "--storage", storage};
      if (storage == "log") {
        args.push_back("--data-dir");
        args.push_back((dir / name).string());
      }
      processes_.push_back(
          std::make_unique<examples::PeerProcess>(binary, args, dir / (name + ".log")));
    }
  }

  const std::map<std::string, std::string>& addresses() const { return addresses_; }

  // User + system CPU seconds the peers have used so far.
  double cpu_seconds() const {
    double total = 0;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    for (const auto& process : processes_) {
      std::ifstream in("/proc/" + std::to_string(process->pid()) + "/stat");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.empty()) continue;
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
  std::map<std::string, std::string> addresses_;
  std::vector<std::unique_ptr<examples::PeerProcess>> processes_;
};

}  // namespace load
