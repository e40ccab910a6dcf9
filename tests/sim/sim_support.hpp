#pragma once
// Helpers for simulation tests: run one request to completion in virtual time.

#include <cstdio>
#include <cstdlib>
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
  config.transfer_check_interval = 100ms;
  config.anti_entropy_interval = 100ms;
  config.gossip_interval = 500ms;
  config.tombstone_grace = 2000ms;
  config.tombstone_sweep_interval = 250ms;
  // DYNAMO_SIM_LOG=1 prints every node's log lines: the second thing to read when a test fails.
  if (std::getenv("DYNAMO_SIM_LOG")) {
    config.log = log_lines([](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    });
  }
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

// The newest ring any running node holds.
template <class Cluster>
const ring::Ring* newest_ring(Cluster& cluster) {
  const membership::RingView* newest = nullptr;
  for (const std::string& name : cluster.names()) {
    if (!cluster.is_up(name)) continue;
    const membership::RingView& view = cluster.node(name).core().ring_view();
    if (!newest || view.epoch() > newest->epoch()) newest = &view;
  }
  return newest ? &newest->current() : nullptr;
}

// The names of the key's home replicas in the newest ring, in preference order.
template <class Cluster>
std::vector<std::string> primaries(Cluster& cluster, const Key& key) {
  std::vector<std::string> out;
  if (const ring::Ring* ring = newest_ring(cluster)) {
    for (ring::NodeIndex i : ring->primaries_for_key(key)) out.push_back(ring->member(i).name);
  }
  return out;
}

// A key whose first home replica is `node` in the newest ring.
template <class Cluster>
Key key_coordinated_by(Cluster& cluster, const std::string& node) {
  Key key = "k";
  for (int i = 0; primaries(cluster, key).front() != node; ++i) key = "k" + std::to_string(i);
  return key;
}

// Why a membership change has not fully settled yet, or nullopt once it has: every running node
// holds the same stable ring, has nothing left to fetch, and holds no key (or hint) it should
// have handed off.
template <class Cluster>
std::optional<std::string> membership_unsettled(Cluster& cluster) {
  const membership::RingView* first = nullptr;
  for (const std::string& name : cluster.names()) {
    if (!cluster.is_up(name)) continue;
    auto& core = cluster.node(name).core();
    const membership::RingView& view = core.ring_view();
    if (!view.stable()) return name + " is in a change at ring epoch " + std::to_string(view.epoch());
    if (first && first->epoch() != view.epoch()) {
      return name + " holds ring epoch " + std::to_string(view.epoch()) + ", others " +
             std::to_string(first->epoch());
    }
    if (!first) first = &view;
    std::size_t misplaced = 0;
    cluster.disk(name).for_each_in_range(
        {{0, 0}, {~0ULL, ~0ULL}}, [&](ring::Position pos, std::string_view, const Siblings&) {
          if (!view.replicates_now(name, view.current().partition_of(pos))) ++misplaced;
        });
    if (misplaced > 0) return name + " still holds " + std::to_string(misplaced) + " misplaced key(s)";
  }
  if (!first) return std::string("no node is running");
  return std::nullopt;
}

template <class Cluster>
bool membership_settled(Cluster& cluster) {
  return !membership_unsettled(cluster).has_value();
}

// Runs the simulation until membership has settled, looking every 100 ms of virtual time (the
// check reads every disk, too much to repeat after every event); false after `limit`.
template <class Cluster>
bool settle(testing::Simulator& sim, Cluster& cluster, std::chrono::milliseconds limit) {
  for (auto waited = 0ms; waited < limit; waited += 100ms) {
    if (membership_settled(cluster)) return true;
    sim.run_for(100ms);
  }
  return membership_settled(cluster);
}

// No running node has a write of its own in flight (a coordinated write whose replicas have
// not all answered, a hint delivery, a relocation) or a hint to deliver: every copy the cluster
// is responsible for has landed.
template <class Cluster>
bool quiet(Cluster& cluster) {
  for (const std::string& name : cluster.names()) {
    if (!cluster.is_up(name)) continue;
    const auto& core = cluster.node(name).core();
    if (core.writes_in_flight() > 0 || core.storage().hint_count() > 0) return false;
  }
  return true;
}

template <class Cluster>
std::optional<Siblings> stored(const Cluster& cluster, const std::string& node, const Key& key) {
  const ring::Position pos = ring::hash_key(cluster.config().ring.hash, key);
  return cluster.disk(node).get(pos, key);
}

}  // namespace dynamo::test
