#pragma once
// A cluster of dynamo-peer processes on 127.0.0.1 for one test: the founding members, and spare
// peers that start outside the ring (with --seeds) to join it later. Each peer gets a port that
// was free when it was added and keeps it across restarts. Logs go to
// <work dir>/<test>/<name>-<start>.log in the build tree (one file per start, so a restarted
// peer's log begins fresh). Every process is killed when the cluster is destroyed.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "dynamo/transport/tls_transport.hpp"
#include "common/peer_process.hpp"
#include "procs/log_text.hpp"
#include "support/temp_dir.hpp"

namespace dynamo::test {

using examples::free_port;
using examples::PeerProcess;

class PeerCluster {
 public:
  // `names` are the founding members; `common_args` are passed to every peer (e.g.
  // --hint-interval-ms 100). Starts nothing.
  PeerCluster(const std::string& test_name, std::vector<std::string> names,
              std::vector<std::string> common_args = {});

  // A peer outside the founding members: started with --listen and the founders as --seeds,
  // plus `extra_args` (e.g. --join).
  void add_spare(const std::string& name, std::vector<std::string> extra_args = {});

  // Runs `name` on this loopback address (e.g. "127.0.0.11") instead of 127.0.0.1, before it
  // starts: a peer with an address of its own can be cut off by a firewall rule.
  void set_host(const std::string& name, std::string host) { hosts_[name] = std::move(host); }
  // Sends `signal` to the running peer (SIGSTOP pauses it, SIGCONT resumes it).
  void signal(const std::string& name, int signal);

  // Runs `name` over TLS with these files (before it starts).
  void set_tls(const std::string& name, TlsConfig tls) { tls_[name] = std::move(tls); }

  // Starts the peer and waits until it logs that it listens. Throws std::runtime_error, with
  // the peer's log, if it exits or does not listen within 10 s. While it waits it calls
  // `while_waiting` (e.g. to run a client's io_context for a few milliseconds) instead of
  // sleeping, if one is given.
  void start(const std::string& name, const std::function<void()>& while_waiting = {});
  void start_all();
  // SIGKILL: the peer dies at once, as in a crash.
  void kill(const std::string& name) { processes_.erase(name); }
  // Whether the peer's process is still running (false once it exited by itself).
  bool running(const std::string& name);
  std::optional<int> exit_status(const std::string& name);

  const std::vector<std::string>& names() const { return names_; }
  // The founding members as "a=127.0.0.1:p,b=..." as dynamo-peer --peers takes it.
  std::string peer_list() const;
  // name -> "127.0.0.1:port" of the founding members, as StreamTransportConfig::peers takes it.
  std::map<std::string, std::string> addresses() const;
  // "127.0.0.1:port" of any peer, spare or founder.
  std::string address_of(const std::string& name) const {
    const auto host = hosts_.find(name);
    return (host == hosts_.end() ? std::string("127.0.0.1") : host->second) + ":" +
           std::to_string(ports_.at(name));
  }
  const std::filesystem::path& dir() const { return dir_; }
  // Where the peer keeps its LogStorage (kept across restarts).
  std::filesystem::path data_dir(const std::string& name) const { return dir_ / (name + ".data"); }
  // The log of the peer's latest start.
  std::filesystem::path log_of(const std::string& name) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::string> common_args_;
  std::map<std::string, std::vector<std::string>> spares_;  // name -> its extra arguments
  std::filesystem::path dir_;
  std::map<std::string, std::uint16_t> ports_;
  std::map<std::string, TlsConfig> tls_;
  std::map<std::string, std::string> hosts_;
  std::map<std::string, int> starts_;
  std::map<std::string, std::unique_ptr<PeerProcess>> processes_;
};

// Runs dynamo-cli with `args` (each peer of `cluster` as --peers comes first) and returns the
// process, whose output goes to <work dir>/<test>/cli-<label>.log; poll running() and
// exit_status(). Throws std::system_error if fork fails.
std::unique_ptr<PeerProcess> start_cli(const PeerCluster& cluster, const std::string& label,
                                       const std::vector<std::string>& args);

struct CliRun {
  std::optional<int> exit_status;  // nullopt: still running after 30 s (then killed)
  std::string output;              // what it printed, stdout and stderr
};
// Runs dynamo-cli with `args` against the cluster and waits (up to 30 s) for it to exit.
CliRun run_cli(const PeerCluster& cluster, const std::string& label,
               const std::vector<std::string>& args);

// Makes a throwaway PKI in `dir` with tests/procs/make_test_ca.sh: the cluster CA with a
// certificate for each of `names`, and another CA with a certificate "foreign". Throws
// std::runtime_error with openssl's output if it fails.
void make_test_ca(const std::filesystem::path& dir, const std::vector<std::string>& names);

// The TLS files of `name`, trusting the cluster CA.
TlsConfig test_tls(const std::filesystem::path& dir, const std::string& name);
// The certificate from the other CA, trusting the cluster CA: its holder accepts the cluster's
// certificates, but the cluster must refuse its own.
TlsConfig foreign_tls(const std::filesystem::path& dir);

}  // namespace dynamo::test
