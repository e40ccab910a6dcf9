#include "sim/scenario.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "sim/sim_support.hpp"

namespace dynamo::test {
namespace {

using Cluster = testing::SimCluster<KeepSiblings>;
using ClientPtr = std::unique_ptr<Cluster::ClientType>;
enum class OpResult { ok, failed, indeterminate };

// The workload clients' request_timeout.
constexpr std::chrono::milliseconds client_timeout = 1500ms;
// The hold phase (see hold_phase()): the availability bound, then this window of operations the
// judge holds to their quorum, then time for the last of them to finish.
constexpr std::chrono::milliseconds judged_window = 1000ms;

// A write failed for sure only when the cluster says nothing was attempted.
OpResult classify_write(std::error_code ec) {
  if (!ec) return OpResult::ok;
  if (ec == errc::unavailable || ec == errc::too_large || ec == errc::bad_context) {
    return OpResult::failed;
  }
  return OpResult::indeterminate;
}

struct PutRecord {
  Key key;
  VectorClock clock;  // the written version's clock, known once acknowledged
};

class Scenario {
 public:
  explicit Scenario(const ScenarioSettings& settings)
      : settings_(settings),
        sim_(settings.seed),
        cluster_(sim_, node_names(settings), config()),
        ledger_(sim_, cluster_, availability_bound()) {
    report_.settings = settings;
    // Half the clients coordinate their reads themselves, half leave it to a node.
    for (int i = 0; i < settings.clients; ++i) {
      const auto coordination = i % 2 == 0 ? ReadCoordination::client : ReadCoordination::node;
      clients_.push_back(cluster_.make_client("client-" + std::to_string(i),
                                              [this, coordination](ClientConfig& config) {
                                                configure_client(config, coordination);
                                              }));
    }
    contexts_.resize(clients_.size());
    solo_ = cluster_.make_client("solo", [this](ClientConfig& config) {
      configure_client(config, ReadCoordination::client);
    });
    checker_ = cluster_.make_client("checker", 1500ms);
    choose_hot_keys();
    for (int i = 0; i < settings.spares; ++i) cluster_.add_node("spare-" + std::to_string(i));
    admin_ = cluster_.make_client("admin", 1500ms);
  }

  ScenarioReport run() {
    fault_phase();
    hold_phase();
    heal_phase();
    for (const std::string& v : ledger_.judge()) violation(v);
    report_.availability = ledger_.counts();
    if (settings_.spares > 0) settle_membership();
    if (settings_.anti_entropy_only) check_anti_entropy_convergence();
    check_reads_and_convergence();
    if (!settings_.anti_entropy_only) check_hints_drained();
    removal_phase();
    report_.faults = sim_.faults();
    report_.trace = sim_.trace_hash();
    return report_;
  }

 private:
  // With a held fault the first seed (the first name) is node-1, the claimant (the
  // lowest-named) node-0, and the hot keys' coordinator node-2.
  static std::vector<std::string> node_names(const ScenarioSettings& s) {
    std::vector<std::string> names;
    for (int i = 0; i < s.nodes; ++i) names.push_back("node-" + std::to_string(i));
    if (s.held) std::rotate(names.begin(), names.begin() + 1, names.end());
    return names;
  }

  std::string held_victim() {
    switch (settings_.held->role) {
      case HeldFault::Role::first_seed: return cluster_.names().front();
      case HeldFault::Role::claimant: {
        const std::string* claimant = cluster_.node("node-1").core().ring_view().claimant();
        return claimant ? *claimant : "node-0";
      }
      case HeldFault::Role::coordinator: return "node-2";
    }
    return "node-2";
  }

  // Hot keys key-0, key-1...; when the held fault takes the hot keys' coordinator, only those
  // whose first home replica it is.
  void choose_hot_keys() {
    const bool coordinated = settings_.held && settings_.held->role == HeldFault::Role::coordinator;
    for (int k = 0; static_cast<int>(hot_keys_.size()) < settings_.hot_keys; ++k) {
      const Key key = "key-" + std::to_string(k);
      if (!coordinated || primaries(cluster_, key).front() == "node-2") hot_keys_.push_back(key);
    }
  }

  // A workload client; DYNAMO_SIM_LOG=1 also prints how it routes each request, with the time.
  void configure_client(ClientConfig& config, ReadCoordination coordination) {
    config.request_timeout = client_timeout;
    config.read_coordination = coordination;
    if (!std::getenv("DYNAMO_SIM_LOG")) return;
    config.trace_requests = true;
    config.log = log_lines([this](std::string_view line) {
      std::fprintf(stderr, "%lld ms %.*s\n", static_cast<long long>(sim_.now().count()),
                   static_cast<int>(line.size()), line.data());
    });
  }

  Config config() const {
    Config c = small_config(3, settings_.r, settings_.w);
    c.tombstone_grace = std::chrono::hours(1);  // no collection until the removal phase
    // Restarts and sloppy coordinators add actors; keep clocks unpruned for the checker.
    c.limits.max_clock_entries = 200;
    c.max_clock_entries = 200;
    c.hinted_handoff = !settings_.anti_entropy_only;
    // Anti-entropy alone must repair within the check's budget: compare partitions faster then.
    c.anti_entropy_interval = settings_.anti_entropy_only ? 20ms : 250ms;
    if (c.log) {  // DYNAMO_SIM_LOG: with the virtual time, like the clients' lines
      c.log = log_lines([this](std::string_view line) {
        std::fprintf(stderr, "%lld ms %.*s\n", static_cast<long long>(sim_.now().count()),
                     static_cast<int>(line.size()), line.data());
      });
    }
    return c;
  }

  void violation(const std::string& what) {
    report_.violations.push_back(what);
  }

  void count(OpResult outcome) {
    switch (outcome) {
      case OpResult::ok: ++report_.operations.ok; break;
      case OpResult::failed: ++report_.operations.failed; break;
      case OpResult::indeterminate: ++report_.operations.indeterminate; break;
    }
  }

  // --- workload ----------------------------------------------------------------------------

  // Without hinted handoff a write that only fallbacks took would never reach a home replica, so
  // in that mode writes are strict: acknowledged means W home replicas have it.
  WriteOptions write_options() const { return WriteOptions{0, settings_.anti_entropy_only}; }

  void after(const std::string& owner, std::chrono::milliseconds delay, std::function<void()> f) {
    sim_.schedule(owner, delay, std::move(f));
  }

  void next_client_op(std::size_t c) {
    if (!workload_on_) {
      idle_.insert(c);
      return;
    }
    auto& client = *clients_[c];
    const Key key = hot_keys_[sim_.uniform(hot_keys_.size())];
    const std::string name = "client-" + std::to_string(c);
    const auto again = [this, c, name] {
      after(name, std::chrono::milliseconds(5 + sim_.uniform(60)), [this, c] { next_client_op(c); });
    };
    const std::uint64_t dice = sim_.uniform(100);
    if (dice < 40) {
      const ReadOptions options{dice < 10 ? 1u : 0u, false};
      const std::size_t op = ledger_.begin(OpKind::get, name, key,
                                           options.r ? options.r : settings_.r, false,
                                           client_timeout);
      client.async_get(key, options, [this, c, key, again, op](std::error_code ec, GetResult r) {
        ledger_.end(op, ec);
        count(ec ? OpResult::failed : OpResult::ok);
        if (!ec) contexts_[c][key] = r.context;
        again();
      });
      return;
    }
    const bool blind = dice < 55;
    const Context context = blind ? Context{} : contexts_[c][key];
    const bool removing = !(dice < 90 || context.empty());
    const std::size_t op = ledger_.begin(removing ? OpKind::remove : OpKind::put, name, key,
                                         settings_.w, settings_.anti_entropy_only, client_timeout);
    const auto on_write = [this, c, key, again, op](std::error_code ec, WriteResult w) {
      ledger_.end(op, ec);
      const OpResult outcome = classify_write(ec);
      count(outcome);
      if (outcome == OpResult::ok) {
        acked_.push_back({key, w.context.clock()});
        contexts_[c][key] = w.context;
      }
      again();
    };
    if (!removing) {
      client.async_put(key, context, name + "-" + std::to_string(++writes_), write_options(),
                       on_write);
    } else {
      client.async_remove(key, context, write_options(), on_write);
    }
  }

  // The solo client alone writes its keys, always with its latest context: it should never see
  // more versions than its own unacknowledged writes could explain.
  void next_solo_op() {
    if (!workload_on_) {
      solo_idle_ = true;
      return;
    }
    const Key key = "solo-" + std::to_string(sim_.uniform(2));
    const auto again = [this] {
      after("solo", std::chrono::milliseconds(10 + sim_.uniform(50)), [this] { next_solo_op(); });
    };
    if (solo_stale_.contains(key)) {
      const std::size_t op =
          ledger_.begin(OpKind::get, "solo", key, settings_.r, false, client_timeout);
      solo_->async_get(key, [this, key, again, op](std::error_code ec, GetResult r) {
        ledger_.end(op, ec);
        if (!ec) {
          solo_context_[key] = r.context;
          solo_stale_.erase(key);
          check_solo(key, r.siblings);
        }
        again();
      });
      return;
    }
    const std::size_t op = ledger_.begin(OpKind::put, "solo", key, settings_.w,
                                         settings_.anti_entropy_only, client_timeout);
    solo_->async_put(key, solo_context_[key], "solo-" + std::to_string(++writes_), write_options(),
                     [this, key, again, op](std::error_code ec, WriteResult w) {
                       ledger_.end(op, ec);
                       const OpResult outcome = classify_write(ec);
                       count(outcome);
                       // A coordinator passed over may have applied the write as well: one
                       // more version this client cannot supersede (QuorumReport::passed_over).
                       solo_unacked_[key] += w.quorum.passed_over;
                       if (outcome == OpResult::ok) {
                         acked_.push_back({key, w.context.clock()});
                         solo_context_[key] = w.context;
                       } else {
                         ++solo_unacked_[key];
                         solo_stale_.insert(key);
                       }
                       again();
                     });
  }

  void check_solo(const Key& key, const Siblings& seen) {
    if (seen.size() > 1 + solo_unacked_[key]) {
      std::ostringstream os;
      os << "false siblings: solo key " << key << " shows " << seen.size() << " versions after "
         << solo_unacked_[key] << " unacknowledged or passed-over writes: " << seen;
      violation(os.str());
    }
  }

  // --- faults ------------------------------------------------------------------------------

  // Every change to what is up or reachable, or to the network, goes through here, so the
  // availability judge knows when the world last changed. During the hold phase changes wait
  // for its end instead.
  void change_world(std::function<void()> change) {
    if (holding_) {
      held_changes_.push_back(std::move(change));
      return;
    }
    change();
    ledger_.world_changed();
  }

  void crash(const std::string& node, bool wipe) {
    change_world([this, node, wipe] { cluster_.crash(node, wipe); });
  }

  void restart(const std::string& node) {
    change_world([this, node] {
      if (cluster_.is_up(node)) return;
      cluster_.restart(node);
      ledger_.node_restarted(node);
    });
  }

  // A join of a node outside the newest ring, or a leave of a member while more than N remain;
  // the claimant may refuse or be unreachable, which is fine.
  void change_membership() {
    const ring::Ring* ring = test::newest_ring(cluster_);
    if (!ring) return;
    std::vector<std::string> outside;
    for (const std::string& name : cluster_.names()) {
      if (!ring->find(name)) outside.push_back(name);
    }
    const auto count = [this](std::error_code ec, MembershipResult) {
      if (!ec) ++report_.membership_changes;
    };
    ledger_.world_changed();  // the ring itself is watched by the ledger from here on
    if (!outside.empty() && (ring->size() <= 3 || sim_.chance(0.5))) {
      admin_->async_join(NewMember{outside[sim_.uniform(outside.size())], {}, {}, 1}, count);
    } else if (ring->size() > 3) {
      admin_->async_leave(ring->member(static_cast<ring::NodeIndex>(sim_.uniform(ring->size()))).name,
                          count);
    }
  }

  void inject_fault() {
    if (sim_.now() >= fault_end_) return;
    const auto& names = cluster_.names();
    const std::string& victim = names[sim_.uniform(names.size())];
    switch (sim_.uniform(settings_.spares > 0 ? 6 : 5)) {
      case 0:
        if (cluster_.is_up(victim)) {
          const bool wipe = settings_.w >= 2 && !wiped_ && sim_.chance(0.2);
          wiped_ |= wipe;
          crash(victim, wipe);
          after("checker", std::chrono::milliseconds(200 + sim_.uniform(1300)),
                [this, victim] { restart(victim); });
        }
        break;
      case 1: {
        std::set<std::string> side;
        for (const auto& n : names) {
          if (sim_.chance(0.5)) side.insert(n);
        }
        change_world([this, side] { sim_.partition({side}); });
        after("checker", std::chrono::milliseconds(200 + sim_.uniform(800)),
              [this] { change_world([this] { sim_.heal(); }); });
        break;
      }
      case 2: {
        const testing::NetworkProfile profile{std::chrono::milliseconds(1),
                                              std::chrono::milliseconds(5 + sim_.uniform(60)),
                                              static_cast<double>(sim_.uniform(20)) / 100.0,
                                              static_cast<double>(sim_.uniform(10)) / 100.0};
        change_world([this, profile] { sim_.network() = profile; });
        break;
      }
      case 3:
        sim_.set_clock_skew(victim,
                            std::chrono::milliseconds(static_cast<std::int64_t>(sim_.uniform(10001)) - 5000));
        break;
      case 5:
        change_membership();
        break;
      default:
        change_world([this] { sim_.network() = testing::NetworkProfile{}; });
        break;
    }
    after("checker", std::chrono::milliseconds(100 + sim_.uniform(300)), [this] { inject_fault(); });
  }

  // The held fault, in place of the random ones: the first seed's before the clients start (they
  // must find the ring without it), the others' once the clients have found the ring.
  void inject_held_fault() {
    report_.held_victim = held_victim();
    const std::string victim = report_.held_victim;
    if (settings_.held->kind == HeldFault::Kind::crash) {
      crash(victim, false);
    } else {
      change_world([this, victim] { sim_.partition({{victim}}); });
    }
  }

  void fault_phase() {
    fault_end_ = sim_.now() + settings_.fault_phase;
    const bool seed_held = settings_.held && settings_.held->role == HeldFault::Role::first_seed;
    if (seed_held) inject_held_fault();
    workload_on_ = true;
    for (std::size_t c = 0; c < clients_.size(); ++c) next_client_op(c);
    next_solo_op();
    if (settings_.held) {
      if (!seed_held) after("checker", 300ms, [this] { inject_held_fault(); });
    } else {
      after("checker", 50ms, [this] { inject_fault(); });
    }
    sim_.run_for(settings_.fault_phase);
  }

  // The faults stay as the fault phase left them (restarts and heals it scheduled wait), the
  // network turns lossless, and the workload goes on: long enough for failure detection
  // (availability_bound()), then a window of operations the judge holds to their quorum. Then
  // the workload stops (for good: the heal phase would stop it anyway) and the last operations
  // finish before anything changes again.
  void hold_phase() {
    const testing::NetworkProfile& net = sim_.network();
    if (net.drop != 0.0 || net.duplicate != 0.0) {
      change_world([this] { sim_.network() = testing::NetworkProfile{}; });
    }
    holding_ = true;
    sim_.run_for(availability_bound() + judged_window);
    workload_on_ = false;
    sim_.run_until([this] { return idle_.size() == clients_.size() && solo_idle_; },
                   client_timeout + 100ms);
    holding_ = false;
    for (auto& change : std::exchange(held_changes_, {})) change_world(std::move(change));
  }

  void heal_phase() {
    workload_on_ = false;
    change_world([this] { sim_.heal(); });
    change_world([this] { sim_.network() = testing::NetworkProfile{}; });
    for (const auto& name : cluster_.names()) restart(name);
    const bool idle = sim_.run_until(
        [this] { return idle_.size() == clients_.size() && solo_idle_; }, 20s);
    if (!idle) violation("liveness: clients still waiting 20 s after heal");
    sim_.run_for(4s);  // suspicions expire, hints drain
  }

  // Every change the faults started must finish once they heal: every node on one stable ring,
  // nothing left to fetch, no key left on a node that no longer replicates it.
  void settle_membership() {
    if (!test::settle(sim_, cluster_, 120s)) {
      violation("membership: the ring had not settled 120 s after heal: " +
                test::membership_unsettled(cluster_).value_or("?"));
    }
  }

  // --- checks ------------------------------------------------------------------------------

  std::vector<Key> all_keys() const {
    std::vector<Key> keys = hot_keys_;
    keys.push_back("solo-0");
    keys.push_back("solo-1");
    return keys;
  }

  // A strict read with R=N: every home replica answers, none stood in for by a fallback. A
  // coordinator may still suspect a replica for a moment after heal, so it is retried a while.
  Outcome<GetResult> read_all_primaries(const Key& key) {
    auto got = test::get(sim_, *checker_, key, ReadOptions{3, true});
    for (int attempt = 0; got.ec && attempt < 10; ++attempt) {
      sim_.run_for(500ms);
      got = test::get(sim_, *checker_, key, ReadOptions{3, true});
    }
    return got;
  }

  void check_reads_and_convergence() {
    std::map<Key, Siblings> read;
    for (const Key& key : all_keys()) {
      const auto got = read_all_primaries(key);
      if (got.ec) {
        violation("liveness: R=N read of " + key + " failed after heal: " + got.ec.message());
        continue;
      }
      read[key] = got.result.siblings;
      const VectorClock seen = got.result.context.clock();
      for (const PutRecord& put : acked_) {
        if (put.key == key && !seen.descends(put.clock)) {
          std::ostringstream os;
          os << "lost write: " << key << " acknowledged with clock " << put.clock
             << " but an R=N read after heal has " << seen;
          violation(os.str());
        }
      }
    }
    sim_.run_for(2s);  // read repair settles
    for (const auto& [key, siblings] : read) {
      for (const auto& node : primaries(cluster_, key)) {
        const auto held = stored(cluster_, node, key).value_or(Siblings{});
        if (held != siblings) {
          std::ostringstream os;
          os << "no convergence: " << node << " holds " << held << " for " << key
             << " but the R=N read returned " << siblings;
          violation(os.str());
        }
      }
    }
  }

  // Every key's home replicas hold the same sibling set (or all none), read from their storage
  // directly: no read has run yet that could have repaired them.
  std::optional<std::string> replicas_differ() {
    for (const Key& key : all_keys()) {
      const auto home = primaries(cluster_, key);
      const auto first = stored(cluster_, home.front(), key).value_or(Siblings{});
      for (const auto& node : home) {
        const auto held = stored(cluster_, node, key).value_or(Siblings{});
        if (held != first) {
          std::ostringstream os;
          os << key << ": " << home.front() << " holds " << first << ", " << node << " holds "
             << held;
          return os.str();
        }
      }
    }
    return std::nullopt;
  }

  void check_anti_entropy_convergence() {
    std::optional<std::string> differ = replicas_differ();
    for (auto waited = 0ms; differ && waited < 30s; waited += 250ms) {
      sim_.run_for(250ms);
      differ = replicas_differ();
    }
    if (differ) violation("anti-entropy: replicas still differ 30 s after heal: " + *differ);
  }

  void check_hints_drained() {
    if (const std::size_t left = cluster_.hint_count()) {
      violation("hinted handoff: " + std::to_string(left) + " hints left with every owner back");
    }
  }

  // Keys removed with the latest context while one node is cut off holding the old value must
  // stay removed, and their tombstones must eventually be collected everywhere.
  void removal_phase() {
    Config c = config();
    c.hinted_handoff = true;  // tombstones are collected only once no hint for the key is left
    c.tombstone_grace = 1s;
    c.tombstone_sweep_interval = 200ms;
    cluster_.reconfigure(c);
    sim_.run_for(500ms);
    std::vector<Key> gone;
    for (int i = 0; i < 3; ++i) {
      const Key key = "gone-" + std::to_string(i);
      if (const auto wrote = test::put(sim_, *checker_, key, {}, "alive"); wrote.ec) {
        violation("liveness: write of " + key + " failed with no faults: " + wrote.ec.message());
      } else {
        gone.push_back(key);
      }
    }
    sim_.run_for(500ms);
    const auto& names = cluster_.names();
    sim_.partition({{names[sim_.uniform(names.size())]}});
    std::vector<Key> removed;
    for (const Key& key : gone) {
      const auto read = test::get(sim_, *checker_, key, ReadOptions{1, false});
      if (read.ec) continue;
      if (!test::remove(sim_, *checker_, key, read.result.context).ec) removed.push_back(key);
    }
    sim_.run_for(3s);  // past the grace period, still partitioned
    sim_.heal();
    sim_.run_for(10s);
    for (const Key& key : removed) {
      const auto read = read_all_primaries(key);
      if (read.ec) {
        violation("liveness: R=N read of removed " + key + " failed: " + read.ec.message());
      } else if (!read.result.values.empty()) {
        violation("resurrection: " + key + " came back as " + read.result.values.front());
      }
      sim_.run_for(500ms);
      for (const auto& name : names) {
        if (stored(cluster_, name, key)) {
          violation("tombstone of " + key + " still on " + name + " long after every replica had it");
        }
      }
    }
  }

  ScenarioSettings settings_;
  testing::Simulator sim_;
  Cluster cluster_;
  AvailabilityLedger ledger_;
  bool holding_ = false;
  std::vector<std::function<void()>> held_changes_;  // fault changes the hold phase deferred
  std::vector<ClientPtr> clients_;
  ClientPtr solo_;
  ClientPtr checker_;
  ClientPtr admin_;
  std::vector<Key> hot_keys_;
  std::vector<std::map<Key, Context>> contexts_;
  std::vector<PutRecord> acked_;
  std::map<Key, Context> solo_context_;
  std::map<Key, std::size_t> solo_unacked_;
  std::set<Key> solo_stale_;
  std::set<std::size_t> idle_;
  bool solo_idle_ = false;
  bool workload_on_ = false;
  bool wiped_ = false;
  std::uint64_t writes_ = 0;
  std::chrono::milliseconds fault_end_{0};
  ScenarioReport report_;
};

}  // namespace

ScenarioSettings settings_for(std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  static constexpr std::pair<std::uint32_t, std::uint32_t> quorums[] = {
      {2, 2}, {1, 3}, {3, 1}, {1, 1}, {2, 1}, {1, 2}, {3, 3}};
  ScenarioSettings s;
  s.seed = seed;
  s.nodes = 3 + static_cast<int>(rng() % 5);
  const auto [r, w] = quorums[rng() % std::size(quorums)];
  s.r = r;
  s.w = w;
  s.clients = 2 + static_cast<int>(rng() % 3);
  s.hot_keys = 3 + static_cast<int>(rng() % 6);
  s.fault_phase = std::chrono::milliseconds(1500 + rng() % 2500);
  s.anti_entropy_only = rng() % 4 == 0;
  s.spares = rng() % 3 == 0 ? 1 + static_cast<int>(rng() % 2) : 0;
  return s;
}

ScenarioReport run_scenario(const ScenarioSettings& settings) {
  return Scenario(settings).run();
}

}  // namespace dynamo::test
