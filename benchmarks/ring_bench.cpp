// Micro-benchmarks of placement: routing a key to its preference list (hash included), and
// building a Ring from a snapshot. Registers benchmarks only; main() comes from benchmark_main.

#include <cstdio>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "dynamo/ring/partition_planner.hpp"
#include "dynamo/ring/ring.hpp"

namespace {

using dynamo::ring::HashKind;
using dynamo::ring::Member;
using dynamo::ring::Ring;
using dynamo::ring::RingParams;

constexpr std::uint32_t n_replicas = 3;

std::vector<Member> cluster(const RingParams& params, int nodes) {
  std::vector<Member> members;
  for (int i = 0; i < nodes; ++i) {
    Member m;
    m.name = "node-" + std::to_string(i);
    m.zone = "zone-" + std::to_string(i % 3);
    members.push_back(std::move(m));
  }
  return dynamo::ring::assign_initial(params, std::move(members));
}

// 4096 distinct 16-byte keys, cycled through so the hash cannot be hoisted out of the loop.
std::vector<std::string> keys16() {
  std::vector<std::string> keys;
  char buffer[17];
  for (int i = 0; i < 4096; ++i) {
    std::snprintf(buffer, sizeof buffer, "user:%011d", i);
    keys.emplace_back(buffer, 16);
  }
  return keys;
}

void BM_KeyToPreferenceList(benchmark::State& state) {
  const RingParams params{static_cast<HashKind>(state.range(0)), 1024};
  const Ring ring = Ring::build(params, n_replicas, cluster(params, 64));
  const std::vector<std::string> keys = keys16();
  std::size_t i = 0;
  for (auto _ : state) {
    auto primaries = ring.primaries_for_key(keys[i++ & 4095]);
    benchmark::DoNotOptimize(primaries.data());
  }
  state.SetLabel(std::string(to_string(params.hash)) + ", 64 nodes, Q=1024, N=3, 16-byte keys");
}
BENCHMARK(BM_KeyToPreferenceList)
    ->Arg(static_cast<int>(HashKind::xxh3_128))
    ->Arg(static_cast<int>(HashKind::md5));

void BM_RingBuild(benchmark::State& state) {
  const RingParams params{HashKind::xxh3_128, static_cast<std::uint32_t>(state.range(1))};
  const std::vector<Member> members = cluster(params, static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Ring ring = Ring::build(params, n_replicas, members);
    benchmark::DoNotOptimize(ring.preference_list(0).data());
  }
}
BENCHMARK(BM_RingBuild)->Args({64, 1024})->Args({64, 65536})->Unit(benchmark::kMicrosecond);

void BM_PlanJoin(benchmark::State& state) {
  const RingParams params{HashKind::xxh3_128, static_cast<std::uint32_t>(state.range(1))};
  const std::vector<Member> members = cluster(params, static_cast<int>(state.range(0)));
  Member joiner;
  joiner.name = "node-new";
  joiner.zone = "zone-1";
  for (auto _ : state) {
    auto plan = dynamo::ring::plan_join(params, members, joiner);
    benchmark::DoNotOptimize(plan.data());
  }
}
BENCHMARK(BM_PlanJoin)->Args({64, 1024})->Args({64, 65536})->Unit(benchmark::kMicrosecond);

}  // namespace
