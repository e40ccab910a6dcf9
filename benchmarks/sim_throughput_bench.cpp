// Protocol-core throughput with the network taken out: a simulated 5-node cluster (N=3, R=W=2,
// no faults, 1 ms links) driven by closed-loop clients, reported as operations per second of
// host CPU. Everything runs on one thread, so this is the cost of the core itself: routing,
// quorum bookkeeping, sibling merges, frame encoding and decoding, and the simulator.
//
// The simulator's per-event invariant checks are off here (they would be measured as the core's
// cost); pass "checked" as the third argument to measure with them.
//
// Usage: dynamo_sim_throughput [virtual seconds, default 20] [clients, default 32] [checked]

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/testing/sim_cluster.hpp"

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Closed-loop clients. Each put carries the context of the client's last read or write of the
// key, as a real application's read-modify-write would, so sibling sets stay small.
struct Load {
  dynamo::testing::Simulator& sim;
  std::vector<std::unique_ptr<dynamo::testing::SimCluster<>::ClientType>> clients;
  std::vector<std::map<std::string, dynamo::Context>> contexts;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  bool running = true;

  void next(std::size_t c) {
    if (!running) return;
    const std::string key = "user" + std::to_string(sim.uniform(1000));
    auto& client = *clients[c];
    auto done = [this, c, key](std::error_code ec, const auto& result) {
      ++completed;
      errors += ec ? 1 : 0;
      if (!ec) contexts[c][key] = result.context;
      next(c);
    };
    if (sim.uniform(2) == 0) {
      client.async_get(key, done);
    } else {
      client.async_put(key, contexts[c][key], std::string(100, 'v'), done);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  const long seconds = argc > 1 ? std::atol(argv[1]) : 20;
  const long client_count = argc > 2 ? std::atol(argv[2]) : 32;

  dynamo::testing::Simulator sim(1);
  sim.set_invariant_checks(argc > 3 && std::string_view(argv[3]) == "checked");
  sim.network() = {1ms, 1ms, 0.0, 0.0};
  dynamo::Config config;
  config.n = 3;
  config.r = 2;
  config.w = 2;
  dynamo::testing::SimCluster<> cluster(sim, {"n1", "n2", "n3", "n4", "n5"}, config);
  Load load{sim, {}, {}};
  for (long c = 0; c < client_count; ++c) {
    load.clients.push_back(cluster.make_client("client" + std::to_string(c)));
  }
  load.contexts.resize(load.clients.size());
  sim.run_for(100ms);  // clients learn the ring

  const double cpu_start = cpu_seconds();
  for (std::size_t c = 0; c < load.clients.size(); ++c) load.next(c);
  sim.run_for(std::chrono::seconds(seconds));
  load.running = false;
  const double cpu = cpu_seconds() - cpu_start;

  std::printf("simulated cluster: 5 nodes, N=3 R=2 W=2, %ld clients, 50%% get / 50%% put of 100 B\n",
              client_count);
  std::printf("virtual time        %ld s\n", seconds);
  std::printf("operations          %llu (%llu errors)\n",
              static_cast<unsigned long long>(load.completed),
              static_cast<unsigned long long>(load.errors));
  std::printf("host CPU            %.2f s\n", cpu);
  std::printf("ops per CPU second  %.0f\n", static_cast<double>(load.completed) / cpu);
  std::printf("CPU per operation   %.1f us\n", cpu * 1e6 / static_cast<double>(load.completed));
  return load.errors == 0 ? 0 : 1;
}
