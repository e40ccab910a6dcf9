#pragma once
// A static cluster of dynamo-peer processes on 127.0.0.1 for one test: each peer gets a port
// that was free when the cluster was made and keeps it across restarts. Logs go to
// <work dir>/<test>/<name>-<start>.log in the build tree (one file per start, so a restarted
// peer's log begins fresh). Every process is killed when the cluster is destroyed.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dynamo/transport/tls_transport.hpp"
#include "procs/peer_process.hpp"
#include "support/temp_dir.hpp"

namespace dynamo::test {

class PeerCluster {
 public:
  // `common_args` are passed to every peer (e.g. --hint-interval-ms 100). Starts nothing.
  PeerCluster(const std::string& test_name, std::vector<std::string> names,
              std::vector<std::string> common_args = {});

  // Runs `name` over TLS with these files (before it starts).
  void set_tls(const std::string& name, TlsConfig tls) { tls_[name] = std::move(tls); }

  // Starts the peer and waits until it logs that it listens. Throws std::runtime_error, with
  // the peer's log, if it exits or does not listen within 10 s.
  void start(const std::string& name);
  void start_all();
  // SIGKILL: the peer dies at once, as in a crash.
  void kill(const std::string& name) { processes_.erase(name); }

  const std::vector<std::string>& names() const { return names_; }
  // "a=127.0.0.1:p,b=..." as dynamo-peer --peers takes it.
  std::string peer_list() const;
  // name -> "127.0.0.1:port", as StreamTransportConfig::peers takes it.
  std::map<std::string, std::string> addresses() const;
  // Where the peer keeps its LogStorage (kept across restarts).
  std::filesystem::path data_dir(const std::string& name) const { return dir_ / (name + ".data"); }
  // The log of the peer's latest start.
  std::filesystem::path log_of(const std::string& name) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::string> common_args_;
  std::filesystem::path dir_;
  std::map<std::string, std::uint16_t> ports_;
  std::map<std::string, TlsConfig> tls_;
  std::map<std::string, int> starts_;
  std::map<std::string, std::unique_ptr<PeerProcess>> processes_;
};

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
