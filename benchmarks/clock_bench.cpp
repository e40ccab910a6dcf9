// Vector clock compare and merge at the paper's pruning bound of ten entries, and the sibling
// insert a replica does on every write.

#include <benchmark/benchmark.h>

#include "dynamo/core/siblings.hpp"

namespace {

dynamo::VectorClock ten_entries(std::uint64_t bump) {
  dynamo::VectorClock c;
  for (std::uint64_t a = 1; a <= 10; ++a) c.witness(dynamo::ActorId{a * 7919}, a + (a == bump), a);
  return c;
}

void BM_ClockCompare(benchmark::State& state) {
  const dynamo::VectorClock x = ten_entries(3), y = ten_entries(8);
  for (auto _ : state) benchmark::DoNotOptimize(x.compare(y));
}
BENCHMARK(BM_ClockCompare);

void BM_ClockMerge(benchmark::State& state) {
  const dynamo::VectorClock x = ten_entries(3), y = ten_entries(8);
  for (auto _ : state) {
    dynamo::VectorClock m = x;
    m.merge(y);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_ClockMerge);

void BM_SiblingsWriteWithContext(benchmark::State& state) {
  dynamo::Siblings s;
  s.add(s.successor(dynamo::ActorId{1}, 1, ten_entries(0), std::string(1024, 'v'), false));
  std::uint64_t t = 2;
  for (auto _ : state) {
    s.add(s.successor(dynamo::ActorId{1}, t++, s.clock(), std::string(1024, 'v'), false));
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SiblingsWriteWithContext);

}  // namespace
