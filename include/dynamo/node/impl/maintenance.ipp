#pragma once
// Background work: hinted handoff (hints offered to their owners until they acknowledge) and
// collection of tombstones that every replica holds and nobody can contradict any more.

#include <algorithm>
#include <cassert>

namespace dynamo {

// The node's background work, each job on its own interval (periodic_jobs.hpp), in this order
// when two fall due together: hints offered to their owners; the change under way advanced
// (partitions fetched, completion checked, keys no longer replicated here handed off);
// tombstones collected; storage maintenance; gossip; anti-entropy.
template <Storage S, Transport T>
void NodeCore<S, T>::start_jobs() {
  using Next = std::optional<std::chrono::milliseconds>;
  jobs_.add("hint_replay", config_.hint_replay_interval, [this]() -> Next {
    handoff_.run();
    return {};
  });
  jobs_.add("transfer", config_.transfer_check_interval, [this]() -> Next {
    start_fetches();
    membership_.maybe_complete_change();
    relocate_misplaced();
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

// A hint's owner is still where it belongs while it is a home replica of the key in the current
// or the next layout; otherwise the hint goes to the key's replicas instead (transfer.ipp).
template <Storage S, Transport T>
bool NodeCore<S, T>::rightful_owner(const std::string& owner, std::string_view key) const {
  if (!view().known()) return true;
  const std::uint32_t partition = ring().partition_of_key(key);
  return view().replicates_now(owner, partition) || view().replicates_next(owner, partition);
}

template <Storage S, Transport T>
bool NodeCore<S, T>::holds_hint_for(std::string_view key) const {
  for (const ring::Ring* layout : {&view().current(), &view().next()}) {
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
  if (!view().stable() || now() - membership_.ring_changed_at() < config_.tombstone_grace) return;
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
  for (const std::string& name : view().names()) {
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
