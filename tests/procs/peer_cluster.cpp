#include "procs/peer_cluster.hpp"

#include <csignal>
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

void PeerCluster::add_spare(const std::string& name, std::vector<std::string> extra_args) {
  ports_[name] = free_port();
  spares_[name] = std::move(extra_args);
}

void PeerCluster::start(const std::string& name, const std::function<void()>& while_waiting) {
  // Each peer keeps its LogStorage in the test's directory, so a restarted peer finds its data.
  std::vector<std::string> args{"--name", name, "--data-dir", data_dir(name).string()};
  if (const auto spare = spares_.find(name); spare != spares_.end()) {
    args.insert(args.end(), {"--listen", address_of(name), "--seeds", peer_list()});
    args.insert(args.end(), spare->second.begin(), spare->second.end());
  } else {
    args.insert(args.end(), {"--peers", peer_list()});
  }
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
    if (while_waiting) {
      while_waiting();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
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
  for (const std::string& name : names_) map[name] = address_of(name);
  return map;
}

void PeerCluster::signal(const std::string& name, int signal) {
  const auto it = processes_.find(name);
  if (it == processes_.end() || ::kill(it->second->pid(), signal) != 0) {
    throw std::runtime_error("cannot signal peer " + name + ": it is not running");
  }
}

bool PeerCluster::running(const std::string& name) {
  const auto it = processes_.find(name);
  return it != processes_.end() && it->second->running();
}

std::optional<int> PeerCluster::exit_status(const std::string& name) {
  const auto it = processes_.find(name);
  if (it == processes_.end()) return std::nullopt;
  it->second->running();
  return it->second->exit_status();
}

std::unique_ptr<PeerProcess> start_cli(const PeerCluster& cluster, const std::string& label,
                                       const std::vector<std::string>& args) {
  std::vector<std::string> all{"--peers", cluster.peer_list()};
  all.insert(all.end(), args.begin(), args.end());
  return std::make_unique<PeerProcess>(DYNAMO_CLI_BINARY, all, cluster.dir() / ("cli-" + label + ".log"));
}

CliRun run_cli(const PeerCluster& cluster, const std::string& label,
               const std::vector<std::string>& args) {
  auto cli = start_cli(cluster, label, args);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (cli->running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CliRun run{cli->running() ? std::nullopt : cli->exit_status(), {}};
  std::ifstream log(cluster.dir() / ("cli-" + label + ".log"));
  std::stringstream text;
  text << log.rdbuf();
  run.output = text.str();
  return run;
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
