#include "procs/peer_cluster.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dynamo::test {
namespace {

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void make_test_ca(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  std::filesystem::create_directories(dir);
  const auto output = dir / "make_test_ca.log";
  std::string command = std::string("bash '") + DYNAMO_MAKE_TEST_CA + "' '" + dir.string() + "'";
  for (const std::string& name : names) command += " '" + name + "'";
  command += " > '" + output.string() + "' 2>&1";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("make_test_ca.sh failed:\n" + read_all(output));
  }
}

PeerCluster::PeerCluster(const std::string& test_name, std::vector<std::string> names,
                         std::vector<std::string> common_args)
    : names_(std::move(names)),
      common_args_(std::move(common_args)),
      dir_(std::filesystem::path(DYNAMO_PROCS_WORK_DIR) / test_name) {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  for (const std::string& name : names_) ports_[name] = free_port();
}

void PeerCluster::start(const std::string& name) {
  // Each peer keeps its LogStorage in the test's directory, so a restarted peer finds its data.
  std::vector<std::string> args{"--name", name, "--peers", peer_list(), "--data-dir",
                                data_dir(name).string()};
  args.insert(args.end(), common_args_.begin(), common_args_.end());
  if (const auto tls = tls_.find(name); tls != tls_.end()) {
    args.insert(args.end(), {"--tls-ca", tls->second.ca_file, "--tls-cert",
                             tls->second.cert_file, "--tls-key", tls->second.key_file});
  }
  processes_.erase(name);
  ++starts_[name];
  const auto log = log_of(name);
  auto process = std::make_unique<PeerProcess>(DYNAMO_PEER_BINARY, args, log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!file_contains(log, "listening on")) {
    if (!process->running() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("peer " + name + " did not start; its log:\n" + read_all(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  processes_[name] = std::move(process);
}

void PeerCluster::start_all() {
  for (const std::string& name : names_) start(name);
}

std::string PeerCluster::peer_list() const {
  std::string list;
  for (const auto& [name, address] : addresses()) {
    list += (list.empty() ? "" : ",") + name + "=" + address;
  }
  return list;
}

std::map<std::string, std::string> PeerCluster::addresses() const {
  std::map<std::string, std::string> map;
  for (const auto& [name, port] : ports_) map[name] = "127.0.0.1:" + std::to_string(port);
  return map;
}

std::filesystem::path PeerCluster::log_of(const std::string& name) const {
  const auto it = starts_.find(name);
  return dir_ / (name + "-" + std::to_string(it == starts_.end() ? 1 : it->second) + ".log");
}

TlsConfig test_tls(const std::filesystem::path& dir, const std::string& name) {
  return TlsConfig{(dir / "ca.pem").string(), (dir / (name + ".pem")).string(),
                   (dir / (name + ".key")).string()};
}

TlsConfig foreign_tls(const std::filesystem::path& dir) {
  return TlsConfig{(dir / "ca.pem").string(), (dir / "foreign.pem").string(),
                   (dir / "foreign.key").string()};
}

}  // namespace dynamo::test
