#pragma once
// Helpers for simulation tests: run one request to completion in virtual time.

#include <optional>

#ifndef DYNAMO_NO_CATCH
#include <catch2/catch.hpp>
#endif

#include "dynamo/testing/sim_cluster.hpp"

namespace dynamo::test {

using namespace std::chrono_literals;

inline Config small_config(std::uint32_t n = 3, std::uint32_t r = 2, std::uint32_t w = 2) {
  Config config;
  config.n = n;
  config.r = r;
  config.w = w;
  config.ring.partitions = 64;
  config.request_timeout = 200ms;
  config.forward_timeout = 400ms;
  config.suspect_period = 1000ms;
  config.hint_replay_interval = 100ms;
  config.anti_entropy_interval = 100ms;
  config.gossip_interval = 500ms;
  config.tombstone_grace = 2000ms;
  config.tombstone_sweep_interval = 250ms;
  return config;
}

template <class Result>
struct Outcome {
  std::error_code ec;
  Result result;
};

// Starts op(callback) and runs the simulation until the callback fired (or 30 s virtual).
template <class Result, class Op>
Outcome<Result> run(testing::Simulator& sim, Op op) {
  std::optional<Outcome<Result>> out;
  op([&out](std::error_code ec, Result r) { out = Outcome<Result>{ec, std::move(r)}; });
  sim.run_until([&] { return out.has_value(); }, 30s);
  REQUIRE(out.has_value());
  return std::move(*out);
}

template <class Front>
Outcome<GetResult> get(testing::Simulator& sim, Front& front, const Key& key,
                       ReadOptions options = {}) {
  return run<GetResult>(sim, [&](auto done) { front.async_get(key, options, done); });
}

template <class Front>
Outcome<WriteResult> put(testing::Simulator& sim, Front& front, const Key& key,
                         const Context& context, const Value& value, WriteOptions options = {}) {
  return run<WriteResult>(sim,
                          [&](auto done) { front.async_put(key, context, value, options, done); });
}

template <class Front>
Outcome<WriteResult> remove(testing::Simulator& sim, Front& front, const Key& key,
                            const Context& context, WriteOptions options = {}) {
  return run<WriteResult>(sim, [&](auto done) { front.async_remove(key, context, options, done); });
}

// The names of the key's home replicas, in preference order.
template <class Cluster>
std::vector<std::string> primaries(Cluster& cluster, const Key& key) {
  for (const std::string& name : cluster.names()) {
    if (!cluster.is_up(name)) continue;
    const ring::Ring& ring = cluster.node(name).core().ring();
    std::vector<std::string> out;
    for (ring::NodeIndex i : ring.primaries_for_key(key)) out.push_back(ring.member(i).name);
    return out;
  }
  return {};
}

template <class Cluster>
std::optional<Siblings> stored(const Cluster& cluster, const std::string& node, const Key& key) {
  const ring::Position pos = ring::hash_key(cluster.config().ring.hash, key);
  return cluster.disk(node).get(pos, key);
}

}  // namespace dynamo::test
