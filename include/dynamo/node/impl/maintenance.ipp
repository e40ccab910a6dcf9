#pragma once
// Background work: hinted handoff (hints offered to their owners until they acknowledge) and
// collection of tombstones that every replica holds and nobody can contradict any more.

#include <algorithm>
#include <cassert>

namespace dynamo {

// A replica acknowledges a write only once its storage says the write is durable; with group
// commit that is after the flusher's next fdatasync, which this waits for without blocking.
template <Storage S, Transport T>
void NodeCore<S, T>::when_durable(std::function<void()> action) {
  if constexpr (DeferredDurability<S>) {
    const std::uint64_t seq = store_.write_seq();
    if (seq > store_.durable_seq()) {
      awaiting_durable_.emplace_back(seq, std::move(action));
      return;
    }
  }
  action();
}

template <Storage S, Transport T>
void NodeCore<S, T>::release_durable() {
  if constexpr (DeferredDurability<S>) {
    const std::uint64_t durable = store_.durable_seq();
    while (!awaiting_durable_.empty() && awaiting_durable_.front().first <= durable) {
      auto action = std::move(awaiting_durable_.front().second);
      awaiting_durable_.pop_front();
      action();
    }
  }
}

// The node's background work, each job on its own interval (periodic_jobs.hpp), in this order
// when two fall due together: hints offered to their owners; the change under way advanced
// (partitions fetched, completion checked, keys no longer replicated here handed off);
// tombstones collected; storage maintenance; gossip; anti-entropy.
template <Storage S, Transport T>
void NodeCore<S, T>::start_jobs() {
  using Next = std::optional<std::chrono::milliseconds>;
  jobs_.add("hint_replay", config_.hint_replay_interval, [this]() -> Next {
    replay_hints();
    return {};
  });
  jobs_.add("transfer", config_.transfer_check_interval, [this]() -> Next {
    transfer_.start_fetches();
    maybe_complete_change();
    transfer_.relocate_misplaced();
    return {};
  });
  jobs_.add("tombstone_sweep", config_.tombstone_sweep_interval, [this]() -> Next {
    sweep_tombstones();
    return {};
  });
  if constexpr (MaintainedStorage<S>) {
    jobs_.add("storage_maintenance", config_.storage_maintenance_interval, [this]() -> Next {
      if (store_.maintain()) return config_.storage_maintenance_step;
      return {};
    });
  }
  jobs_.add("gossip", config_.gossip_interval, [this]() -> Next {
    gossip_round();
    return {};
  });
  if (config_.anti_entropy) {
    jobs_.add("anti_entropy", config_.anti_entropy_interval, [this]() -> Next {
      start_exchange();
      return {};
    });
  }
}

// Offers up to hint_replay_batch hints to their owners as ordinary replica writes. An owner that
// let an offer time out is left alone while suspected; once the suspicion lapses the next offer
// probes it again, and its acknowledgement shows it is back.
template <Storage S, Transport T>
void NodeCore<S, T>::replay_hints() {
  // One log line per owner and round, not one per key: a returning node may get thousands.
  for (const auto& [owner, keys] : delivered_) {
    log(LogLevel::info, "hints_delivered",
        "delivered hints to " + owner + ": " + std::to_string(keys) + " key(s)",
        {{"peer", owner}, {"keys", std::to_string(keys)}});
  }
  delivered_.clear();
  if (!config_.hinted_handoff) return;
  std::vector<ReplayOp> batch;
  std::vector<ReplayOp> orphans;  // hints whose owner is no longer a replica of the key
  storage().for_each_hint([&](std::string_view owner, std::string_view key, const Siblings& s) {
    if (batch.size() + orphans.size() + replays_.size() >= config_.hint_replay_batch) return;
    if (replaying_.contains({std::string(owner), std::string(key)})) return;
    if (!rightful_owner(std::string(owner), key)) {
      if (!transfer_.relocating(std::string(owner), Key(key))) {
        orphans.push_back(ReplayOp{std::string(owner), Key(key), s, 0});
      }
      return;
    }
    if (!usable(std::string(owner))) return;
    batch.push_back(ReplayOp{std::string(owner), Key(key), s, 0});
  });
  for (ReplayOp& orphan : orphans) {
    const ring::Position pos = ring::hash_key(ring().params().hash, orphan.key);
    transfer_.start_relocation(std::move(orphan.owner), std::move(orphan.key), pos,
                               std::move(orphan.sent));
  }
  for (ReplayOp& replay : batch) {
    const std::uint64_t id = next_id(RequestKind::hint_delivery);
    replay.timer = transport_.schedule(config_.request_timeout, [this, id] {
      const auto it = replays_.find(id);
      if (it == replays_.end()) return;
      suspect(it->second.owner, config_.request_timeout);
      replaying_.erase({it->second.owner, it->second.key});
      replays_.erase(it);
    });
    replaying_.insert({replay.owner, replay.key});
    send(replay.owner, wire::ReplicaWrite{id, replay.key, replay.sent});
    replays_.emplace(id, std::move(replay));
  }
}

// The owner has the hint's versions. The hint is deleted only if nothing was added to it since
// it was sent; otherwise the newer hint goes out on the next round.
template <Storage S, Transport T>
void NodeCore<S, T>::on_replay_ack(std::uint64_t id, const std::string& from,
                                   const wire::Status& status) {
  const auto it = replays_.find(id);
  if (it == replays_.end() || it->second.owner != from) return unmatched();
  ReplayOp replay = std::move(it->second);
  replays_.erase(it);
  transport_.cancel(replay.timer);
  replaying_.erase({replay.owner, replay.key});
  if (!status.ok()) return;
  if (store_.get_hint(replay.owner, replay.key) == replay.sent) {
    store_.erase_hint(replay.owner, replay.key);
    ++delivered_[replay.owner];
    metrics_.hints_delivered.add();
  }
}

// A hint's owner is still where it belongs while it is a home replica of the key in the current
// or the next layout; otherwise the hint goes to the key's replicas instead (range_transfer.hpp).
template <Storage S, Transport T>
bool NodeCore<S, T>::rightful_owner(const std::string& owner, std::string_view key) const {
  if (!view_.known()) return true;
  const std::uint32_t partition = ring().partition_of_key(key);
  return view_.replicates_now(owner, partition) || view_.replicates_next(owner, partition);
}

template <Storage S, Transport T>
bool NodeCore<S, T>::holds_hint_for(std::string_view key) const {
  for (const ring::Ring* layout : {&view_.current(), &view_.next()}) {
    for (ring::NodeIndex i : layout->primaries_for_key(key)) {
      if (store_.get_hint(layout->member(i).name, key)) return true;
    }
  }
  return false;
}

// The first home replica of a key is the one that collects its tombstones.
template <Storage S, Transport T>
void NodeCore<S, T>::note_tombstones(std::string_view key, const Siblings& stored) {
  if (stored.has_live_value() || stored.empty()) return;
  const auto primaries = ring().primaries_for_key(key);
  if (primaries.empty() || !is_self(ring().member(primaries[0]).name)) return;
  tombstone_candidates_.insert(Key(key));
}


// While the ring changes, a node handing off may still hold an old version that the members do
// not know of: tombstones wait until the ring has been steady for their grace period.
template <Storage S, Transport T>
void NodeCore<S, T>::sweep_tombstones() {
  if (!view_.stable() || now() - ring_changed_at_ < config_.tombstone_grace) return;
  const std::uint64_t wall = transport_.wall_clock_ms();
  const auto grace = static_cast<std::uint64_t>(config_.tombstone_grace.count());
  std::uint32_t checked = 0;
  for (auto it = tombstone_candidates_.begin();
       it != tombstone_candidates_.end() && checked < config_.tombstone_sweep_batch;) {
    const Key& key = *it;
    const auto stored = store_.get(ring::hash_key(ring().params().hash, key), key);
    if (!stored || stored->has_live_value()) {
      it = tombstone_candidates_.erase(it);
      continue;
    }
    const auto versions = stored->versions();
    const std::uint64_t newest =
        std::ranges::max(versions, {}, &Versioned::timestamp).timestamp;
    const bool in_check = std::ranges::any_of(
        tombstone_checks_, [&](const auto& entry) { return entry.second.key == key; });
    if (!in_check && newest + grace <= wall) {
      ++checked;
      start_tombstone_check(key, *stored);
    }
    ++it;
  }
}

// A tombstone may go only when every home replica holds exactly it and no node keeps a hint for
// the key: otherwise an older copy could come back after the tombstone is gone. Every member is
// asked, since any of them may be a fallback holding a hint.
template <Storage S, Transport T>
void NodeCore<S, T>::start_tombstone_check(const Key& key, const Siblings& expected) {
  assert(!expected.empty() && !expected.has_live_value());
  if (holds_hint_for(key)) return;
  const std::uint64_t id = next_id(RequestKind::tombstone_check);
  TombstoneCheckOp& check = tombstone_checks_[id];
  check.key = key;
  check.expected = expected;
  for (const std::string& name : view_.names()) {
    if (!is_self(name)) check.waiting.insert(name);
  }
  check.timer = transport_.schedule(config_.request_timeout, [this, id] {
    tombstone_checks_.erase(id);
  });
  for (const std::string& peer : check.waiting) send(peer, wire::TombstoneCheck{id, key});
  if (check.waiting.empty()) collect_tombstone(id);
}

template <Storage S, Transport T>
void NodeCore<S, T>::on_tombstone_check_reply(std::uint64_t id, const std::string& from,
                                              const wire::TombstoneCheckReply& reply) {
  const auto it = tombstone_checks_.find(id);
  if (it == tombstone_checks_.end() || !it->second.waiting.contains(from)) return unmatched();
  TombstoneCheckOp& check = it->second;
  const auto primaries = ring().primaries_for_key(check.key);
  const bool primary = std::ranges::any_of(
      primaries, [&](ring::NodeIndex i) { return ring().member(i).name == from; });
  const bool agrees = !reply.hinted && (reply.siblings == check.expected ||
                                        (!primary && reply.siblings.empty()));
  if (!agrees) {
    transport_.cancel(check.timer);
    tombstone_checks_.erase(it);
    return;
  }
  check.waiting.erase(from);
  if (check.waiting.empty()) collect_tombstone(id);
}

// Every member agreed: the key's home replicas purge the tombstone, this node too.
template <Storage S, Transport T>
void NodeCore<S, T>::collect_tombstone(std::uint64_t id) {
  const auto it = tombstone_checks_.find(id);
  assert(it != tombstone_checks_.end() && it->second.waiting.empty());
  const TombstoneCheckOp& check = it->second;
  const ring::Position pos = ring::hash_key(ring().params().hash, check.key);
  for (ring::NodeIndex i : ring().primaries_for_key(check.key)) {
    const std::string& node = ring().member(i).name;
    if (!is_self(node)) send(node, wire::Purge{next_id(RequestKind::untracked), check.key, check.expected});
  }
  if (store_.get(pos, check.key) == check.expected) {
    store_.erase(pos, check.key, check.expected);
  }
  tombstone_candidates_.erase(check.key);
  log(LogLevel::debug, "tombstone_collected", "collected the tombstone of " + check.key,
      {{"key", check.key}});
  transport_.cancel(check.timer);
  tombstone_checks_.erase(it);
}

}  // namespace dynamo
