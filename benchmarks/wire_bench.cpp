// Micro-benchmarks of the wire codec: encoding and decoding the two messages on every write's
// path, a client's put and the coordinator's replica write, each carrying a 1 KiB value.

#include <benchmark/benchmark.h>

#include <string>

#include "dynamo/core/context.hpp"
#include "dynamo/wire/frame.hpp"

namespace {

using namespace dynamo;
using namespace dynamo::wire;

constexpr std::size_t value_size = 1024;

Message client_put() {
  VectorClock seen;
  seen.witness(ActorId{11}, 4, 1'700'000'000'000);
  seen.witness(ActorId{12}, 2, 1'700'000'000'500);
  return ClientPut{42, "cart:42", Context{seen}.encode(), std::string(value_size, 'v'), 2, false};
}

// One version whose past spans three coordinators, as after a few writes through different nodes.
Message replica_write() {
  Versioned v;
  v.dot = {ActorId{13}, 7};
  v.timestamp = 1'700'000'001'000;
  v.past.witness(ActorId{11}, 4, 1'700'000'000'000);
  v.past.witness(ActorId{12}, 2, 1'700'000'000'500);
  v.past.witness(ActorId{13}, 6, 1'700'000'000'900);
  v.value = std::string(value_size, 'v');
  Siblings siblings;
  siblings.add(std::move(v));
  return ReplicaWrite{43, "cart:42", std::move(siblings)};
}

void encode(benchmark::State& state, const Message& m) {
  for (auto _ : state) {
    std::string frame = encode_frame(m);
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * encoded_frame_size(m)));
}

void decode(benchmark::State& state, const Message& m) {
  const std::string frame = encode_frame(m);
  const Limits limits;
  for (auto _ : state) {
    Message out;
    const std::error_code ec = decode_frame(frame, limits, out);
    benchmark::DoNotOptimize(ec);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

void BM_EncodeClientPut(benchmark::State& state) { encode(state, client_put()); }
void BM_DecodeClientPut(benchmark::State& state) { decode(state, client_put()); }
void BM_EncodeReplicaWrite(benchmark::State& state) { encode(state, replica_write()); }
void BM_DecodeReplicaWrite(benchmark::State& state) { decode(state, replica_write()); }

BENCHMARK(BM_EncodeClientPut);
BENCHMARK(BM_DecodeClientPut);
BENCHMARK(BM_EncodeReplicaWrite);
BENCHMARK(BM_DecodeReplicaWrite);

}  // namespace
