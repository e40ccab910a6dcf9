// dynamo_load: a YCSB-style load generator for dynamo clusters. It starts a 3-node cluster (in
// this process over TcpTransport, or as dynamo-peer processes), loads the records, runs the
// workload, and prints ops/s, latency percentiles and CPU time per operation as a Markdown row
// (and JSON with --json). benchmarks/run_load.sh runs the whole matrix beside Redis.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/args.hpp"
#include "common/connect.hpp"
#include "dynamo/storage/log_storage.hpp"
#include "dynamo/storage/memory_storage.hpp"
#include "load/in_process_cluster.hpp"
#include "load/load_driver.hpp"
#include "load/peer_processes.hpp"
#include "load/report.hpp"

namespace {

constexpr const char* kUsage =
    "usage: dynamo_load [options]\n"
    "\n"
    "Starts a 3-node dynamo cluster on 127.0.0.1, loads --records keys, then runs a YCSB\n"
    "workload and prints ops/s, latency p50/p95/p99/p99.9 and CPU time per operation.\n"
    "\n"
    "  --cluster in-process|peers  nodes in this process (default), or dynamo-peer processes\n"
    "  --peer-binary PATH        the dynamo-peer program (required with --cluster peers)\n"
    "  --base-port P             first of three ports for the peers (default 0: free ports)\n"
    "  --storage memory|log      the nodes' storage (default memory); log keeps its files in\n"
    "                            a fresh directory under --scratch, removed afterwards\n"
    "  --scratch DIR             where log storage and peer logs go (default /tmp)\n"
    "  --workload a|b|c          a: 50% reads 50% updates, b: 95/5, c: reads only (default a)\n"
    "  --distribution uniform|zipfian   which records operations touch (default uniform)\n"
    "  --records N               keys loaded first (default 100000)\n"
    "  --operations N            operations to run (default: run for --duration-s)\n"
    "  --duration-s S            how long to run (default 10)\n"
    "  --clients C               client connections, each a partition-aware Client (default 50)\n"
    "  --in-flight K             requests each client keeps outstanding (default 1; with\n"
    "                            --target-rate, at most this many)\n"
    "  --target-rate OPS         open loop: offer OPS operations per second in the run phase\n"
    "                            whatever the latency (default 0: closed loop)\n"
    "  --reads-by client|node    who coordinates reads: the client itself (default), or a\n"
    "                            home replica as for writes\n"
    "  --value-size B            bytes per value (default 100)\n"
    "  --n N --r R --w W         replicas, read and write quorums (default 3 2 2)\n"
    "  --seed S                  random seed for key choice (default 1)\n"
    "  --json FILE               append one JSON object per phase to FILE\n"
    "  --table FILE              append the Markdown rows to FILE (the header first if it\n"
    "                            is new)\n"
    "  --help                    this text\n";

struct Options {
  load::Setup setup;
  std::string cluster = "in-process";
  std::string peer_binary;
  std::uint16_t base_port = 0;
  std::filesystem::path scratch = "/tmp";
  std::uint64_t seed = 1;
  std::string json;
  std::string table;
};

Options parse(int argc, char** argv) {
  examples::ArgSpec spec;
  spec.with_value = {"cluster", "peer-binary", "base-port", "storage", "scratch", "workload",
                     "distribution", "records", "operations", "duration-s", "clients",
                     "in-flight", "target-rate", "reads-by", "value-size", "n", "r", "w", "seed",
                     "json", "table"};
  spec.flags = {"help"};
  examples::Args args(argc, argv, spec);
  if (args.has("help")) {
    std::cout << kUsage;
    std::exit(0);
  }
  Options o;
  load::Workload& w = o.setup.workload;
  try {
    load::set_workload(w, args.value("workload").value_or("a"));
    w.distribution = load::parse_distribution(args.value("distribution").value_or("uniform"));
  } catch (const std::invalid_argument& e) {
    throw examples::UsageError(e.what());
  }
  o.cluster = args.value("cluster").value_or("in-process");
  if (o.cluster != "in-process" && o.cluster != "peers") {
    throw examples::UsageError("--cluster must be in-process or peers");
  }
  o.peer_binary = args.value("peer-binary").value_or("");
  if (o.cluster == "peers" && o.peer_binary.empty()) {
    throw examples::UsageError("--cluster peers needs --peer-binary");
  }
  o.base_port = static_cast<std::uint16_t>(args.number("base-port", 0, 0, 65533));
  o.setup.storage = args.value("storage").value_or("memory");
  if (o.setup.storage != "memory" && o.setup.storage != "log") {
    throw examples::UsageError("--storage must be memory or log");
  }
  o.scratch = args.value("scratch").value_or("/tmp");
  w.records = args.number("records", 100'000, 1, 100'000'000);
  w.operations = args.number("operations", 0, 0, UINT64_MAX);
  w.duration = std::chrono::seconds(args.number("duration-s", 10, 1, 86'400));
  w.connections = static_cast<std::uint32_t>(args.number("clients", 50, 1, 1000));
  w.in_flight = static_cast<std::uint32_t>(args.number("in-flight", 1, 1, 1000));
  w.target_rate = static_cast<double>(args.number("target-rate", 0, 0, 10'000'000));
  o.setup.reads_by = args.value("reads-by").value_or("client");
  if (o.setup.reads_by != "client" && o.setup.reads_by != "node") {
    throw examples::UsageError("--reads-by must be client or node");
  }
  w.value_size = args.number("value-size", 100, 0, 1 << 20);
  o.setup.n = static_cast<std::uint32_t>(args.number("n", 3, 1, 3));
  w.r = static_cast<std::uint32_t>(args.number("r", 2, 1, o.setup.n));
  w.w = static_cast<std::uint32_t>(args.number("w", 2, 1, o.setup.n));
  o.seed = args.number("seed", 1, 0, UINT64_MAX);
  o.json = args.value("json").value_or("");
  o.table = args.value("table").value_or("");
  o.setup.target = o.cluster == "in-process" ? "in-process" : "dynamo-peer x3";
  return o;
}

// Waits until the client has written 16 keys, each retried until it succeeds: the peers are up,
// the client has a ring and its connections, and the coordinators reach their replicas, so the
// measured phases do not include the cluster's start. (Right after a cold start of peer
// processes a few first requests can time out while the nodes are still connecting.)
template <class ClientT>
void wait_until_serving(asio::io_context& io, ClientT& client, const std::string& name) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::error_code last;
  for (int k = 0; k < 16;) {
    if (std::chrono::steady_clock::now() >= give_up) {
      throw std::runtime_error("the cluster did not accept writes within 30 s: " + last.message());
    }
    bool done = false;
    client.async_put("dynamo_load:ready:" + name + ":" + std::to_string(k), {}, "1",
                     [&](std::error_code ec, dynamo::WriteResult) {
                       last = ec;
                       done = true;
                     });
    while (!done) io.run_one();
    if (!last) {
      ++k;
      continue;
    }
    asio::steady_timer pause(io, std::chrono::milliseconds(100));
    pause.wait();
  }
}

void report(const Options& o, const load::PhaseResult& p) {
  const std::string row = load::table_row(o.setup, p);
  std::cout << row << std::flush;
  if (!o.table.empty()) {
    const bool fresh = !std::filesystem::exists(o.table) || std::filesystem::file_size(o.table) == 0;
    std::ofstream(o.table, std::ios::app) << (fresh ? load::table_header() : "") << row;
  }
  if (!o.json.empty()) std::ofstream(o.json, std::ios::app) << load::json_line(o.setup, p);
  for (const auto& [message, count] : p.errors) {
    std::cerr << "  " << count << " x " << message << "\n";
  }
}

int run(const Options& o, const std::map<std::string, std::string>& peers,
        std::function<double()> external_cpu) {
  asio::io_context io(1);
  std::vector<std::unique_ptr<dynamo::Client<dynamo::TcpTransport>>> clients;
  std::vector<dynamo::Client<dynamo::TcpTransport>*> raw;
  for (std::uint32_t i = 0; i < o.setup.workload.connections; ++i) {
    // A Client does not move; `new` from the returned prvalue constructs it in place.
    clients.emplace_back(new dynamo::Client<dynamo::TcpTransport>(
        examples::make_client<dynamo::TcpTransport>(
            io, "load-" + std::to_string(i), peers, std::chrono::seconds(2), std::nullopt,
            "dynamo", std::chrono::seconds(5),
            o.setup.reads_by == "client" ? dynamo::ReadCoordination::client
                                         : dynamo::ReadCoordination::node)));
    raw.push_back(clients.back().get());
  }
  for (std::size_t i = 0; i < raw.size(); ++i) wait_until_serving(io, *raw[i], std::to_string(i));
  load::LoadDriver driver(io, raw, o.setup.workload, o.seed, std::move(external_cpu));
  std::cout << load::table_header();
  const load::PhaseResult loaded = driver.load();
  report(o, loaded);
  const load::PhaseResult ran = driver.run();
  report(o, ran);
  return ran.failed == 0 && loaded.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const examples::UsageError& e) {
    std::cerr << "dynamo_load: " << e.what() << "\n\n" << kUsage;
    return 2;
  }
  try {
    const std::filesystem::path dir =
        o.scratch / ("dynamo_load." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    struct Cleanup {
      std::filesystem::path dir;
      ~Cleanup() { std::filesystem::remove_all(dir); }
    } cleanup{dir};
    const load::Workload& w = o.setup.workload;
    if (o.cluster == "peers") {
      load::PeerProcesses peers(o.peer_binary, o.base_port, o.setup.storage, dir, o.setup.n, w.r,
                                w.w);
      return run(o, peers.addresses(), [&peers] { return peers.cpu_seconds(); });
    }
    if (o.setup.storage == "log") {
      load::InProcessCluster<dynamo::LogStorage> cluster(
          o.setup.n, w.r, w.w, [&](const std::string& name) { return dynamo::LogStorage(dir / name); });
      return run(o, cluster.addresses(), {});
    }
    load::InProcessCluster<dynamo::MemoryStorage> cluster(
        o.setup.n, w.r, w.w, [](const std::string&) { return dynamo::MemoryStorage{}; });
    return run(o, cluster.addresses(), {});
  } catch (const std::exception& e) {
    std::cerr << "dynamo_load: " << e.what() << "\n";
    return 1;
  }
}
