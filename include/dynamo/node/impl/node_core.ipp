#pragma once
// Construction, destruction and bookkeeping of NodeCore.

#include <charconv>
#include <sstream>

#include "dynamo/ring/partition_planner.hpp"

namespace dynamo {
namespace detail {

// The ring parameters of a config that has been checked: a node refuses to start on a bad one.
inline const ring::RingParams& validated_params(const Config& config) {
  validate(config);
  return config.ring;
}

// A restarted node must announce a larger generation than before, or its new heartbeats would
// lose to the old ones everywhere. The stored generation plus one guards against a clock that
// went back; the wall clock guards against a lost disk.
template <class Store>
std::uint64_t next_generation(Store& store, std::uint64_t wall_clock_ms) {
  std::uint64_t generation = wall_clock_ms;
  if (const auto stored = store.storage().get_meta(generation_meta)) {
    std::uint64_t before = 0;
    const auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), before);
    if (ec == std::errc{} && end == stored->data() + stored->size()) {
      generation = std::max(generation, before + 1);
    }
  }
  store.put_meta(generation_meta, std::to_string(generation));
  return generation;
}

}  // namespace detail

template <Storage S, Transport T>
NodeCore<S, T>::NodeCore(Config config, std::string resolver_name, S storage, T transport)
    : config_(std::move(config)),
      resolver_name_(std::move(resolver_name)),
      store_(std::move(storage), detail::validated_params(config_), config_.merkle_depth, StoreHooks{*this}),
      transport_(std::move(transport)),
      // A timeout waits at most twice request_timeout (fetches) or forward_timeout.
      peers_(config_.name,
             PeerTable::Options{config_.suspect_period,
                                std::max(2 * config_.request_timeout, config_.forward_timeout),
                                config_.gossip_interval, config_.phi_acceptable_pause,
                                config_.phi_threshold}),
      reads_(read_hooks_, quorum::ReadPacing{config_.request_timeout, config_.request_timeout / 2,
                                             /*ask_all_first=*/true}),
      writes_(transport_, ids_, write_hooks_,
              {config_.n, config_.w, config_.max_clock_entries, config_.request_timeout,
               config_.name}),
      forwards_(transport_, ids_, forward_hooks_, config_.forward_timeout),
      handoff_(transport_, ids_, handoff_hooks_,
               {config_.hinted_handoff, config_.hint_replay_batch, config_.request_timeout}),
      anti_entropy_(exchange_hooks_, ids_,
                    {config_.anti_entropy_exchanges, config_.anti_entropy_max_keys,
                     config_.merkle_depth, 2 * config_.request_timeout}),
      tombstones_(tombstone_hooks_, ids_,
                  {config_.tombstone_grace, config_.tombstone_sweep_batch,
                   config_.request_timeout}),
      membership_(transport_, ids_, membership_hooks_, config_,
                  detail::next_generation(store_, transport_.wall_clock_ms())) {
  // A new actor for every incarnation: a node that lost its storage can never reissue a dot an
  // old version already carries (Riak's kv679), whatever its storage remembers.
  do {
    actor_ = ActorId{transport_.random()};
  } while (actor_.value == 0);
  ids_ = RequestIds(wire::first_request_id(transport_.random()));
  transport_.on_receive([this](std::string_view from, std::string_view frame) {
    on_frame(from, frame);
  });
  if constexpr (ReportsUnreachable<T>) {
    transport_.on_unreachable([this](std::string_view peer) { on_unreachable(peer); });
  }
  membership_.load();
  for (const std::string& peer : membership_.gossip_targets()) send_hello(peer);
  if constexpr (DeferredDurability<S>) {
    // The storage calls this from its flusher thread; post() brings the news to our executor.
    store_.on_durable([this] { transport_.post([this] { store_.release_durable(); }); });
  }
  start_jobs();
  refresh_metrics();
}

template <Storage S, Transport T>
NodeCore<S, T>::~NodeCore() {
  halt();  // without a log line: the host's log sink may be gone already
}

template <Storage S, Transport T>
void NodeCore<S, T>::stop() {
  if (stopped_) return;
  halt();
  log(LogLevel::info, "stopped", "stopped");
}

// Fails everything pending with errc::shutdown, cancels every timer, stops waiting for the
// storage's durability news (what was written stays the storage's to keep) and stops the
// transport if it can be stopped (closing its connections). From then on the node answers
// nothing: frames that still arrive are dropped, and requests fail with errc::shutdown.
template <Storage S, Transport T>
void NodeCore<S, T>::halt() {
  if (stopped_) return;
  stopped_ = true;
  if constexpr (DeferredDurability<S>) store_.on_durable({});
  store_.forget_awaiting_durable();
  jobs_.stop();
  const auto shutdown = make_error_code(errc::shutdown);
  anti_entropy_.clear();
  reads_.fail_all(shutdown);
  writes_.fail_all(shutdown);
  forwards_.fail_all(shutdown);
  handoff_.clear();
  tombstones_.clear();
  transfer_.halt();
  membership_.fail_all(shutdown);
  if constexpr (requires { transport_.stop(); }) transport_.stop();
}

template <Storage S, Transport T>
std::size_t NodeCore<S, T>::pending() const {
  return reads_.size() + writes_.size() + forwards_.size() + handoff_.size() +
         tombstones_.size() + anti_entropy_.size() + transfer_.size();
}

template <Storage S, Transport T>
metrics::PeerState NodeCore<S, T>::peer_state(const std::string& peer) const {
  return peers_.state(peer, now());
}

template <Storage S, Transport T>
void NodeCore<S, T>::refresh_metrics() {
  metrics::NodeGauges g;
  g.keys = storage().size();
  g.hints = storage().hint_count();
  g.ring_epoch = view().epoch();
  g.partitions_to_fetch = fetches_left();
  g.writes_in_flight = writes_in_flight();
  g.pending = pending();
  for (const std::string& name : view().names()) {
    ++g.members;
    if (is_self(name)) continue;
    g.peers.push_back({name, peer_state(name), peers_.phi(name, now()).value_or(0.0)});
  }
  g.at = now();
  metrics_.gauges.set(std::move(g));
}

template <Storage S, Transport T>
void NodeCore<S, T>::log(LogLevel level, std::string_view event, std::string message,
                         std::vector<LogField> fields) const {
  if (config_.log) config_.log(LogRecord{level, config_.name, event, std::move(message), std::move(fields)});
}

}  // namespace dynamo
