#pragma once
// Moving data when the ring changes.
//
// Fetching: a node that a change makes a replica of a partition fetches it, slice by slice,
// from the replica it replaces (membership::Transfer), once every live member holds the change's
// ring and one request timeout has passed (so writes coordinated with the older ring have
// landed; from then on every write also reaches the new replica). Chunks are merged and made
// durable before the next is asked for; transfer_concurrency partitions go at once, with
// transfer_interval between chunks. When all its partitions are in, the node announces it in its
// heartbeat (fetched_epoch), and the change can complete.
//
// Handing off: a node holding keys of a partition it is no longer a replica of (a leaver, a
// replica a join displaced, a node restored from an old disk) drops them only once the
// partition's replicas hold them. Keys a destination fetched from it in full go at once, except
// those changed after their slice was sent (`dirty_`); every other key is written to each of the
// partition's replicas and erased once all of them acknowledged and it is unchanged. Hints
// whose owner is no longer a replica of the key go the same way.

#include <cassert>

namespace dynamo {

// A new ring: fetches of partitions this node no longer needs stop; partitions it fetched for
// the change stay fetched if it still needs them (it has had every write to them since).
template <Storage S, Transport T>
void NodeCore<S, T>::reconcile_fetches() {
  all_have_ring_since_.reset();
  std::set<std::uint32_t> mine;
  for (const membership::Transfer& t : view().transfers()) {
    if (is_self(t.destination)) mine.insert(t.partition);
  }
  std::erase_if(fetched_, [&](std::uint32_t p) { return !mine.contains(p); });
  for (auto it = fetches_.begin(); it != fetches_.end();) {
    if (mine.contains(it->second.partition)) {
      ++it;
    } else {
      transport_.cancel(it->second.timer);
      it = fetches_.erase(it);
    }
  }
  if (std::ranges::includes(fetched_, mine)) fetched_epoch_ = view().epoch();
}

template <Storage S, Transport T>
std::size_t NodeCore<S, T>::fetches_left() const {
  std::size_t left = 0;
  for (const membership::Transfer& t : view().transfers()) {
    if (is_self(t.destination) && !fetched_.contains(t.partition)) ++left;
  }
  return left;
}

template <Storage S, Transport T>
void NodeCore<S, T>::start_fetches() {
  if (view().stable() || fetched_epoch_ >= view().epoch() || !membership_.ring_is_newest()) return;
  if (!membership_.ring_seen_by_all(view().epoch())) {
    all_have_ring_since_.reset();
    return;
  }
  if (!all_have_ring_since_) all_have_ring_since_ = now();
  if (now() - *all_have_ring_since_ < config_.request_timeout) return;
  for (const membership::Transfer& t : view().transfers()) {
    if (fetches_.size() >= config_.transfer_concurrency) break;
    if (!is_self(t.destination) || fetched_.contains(t.partition)) continue;
    const bool running = std::ranges::any_of(fetches_, [&](const auto& entry) {
      return entry.second.partition == t.partition;
    });
    if (running) continue;
    const std::uint64_t id = next_id(RequestKind::fetch);
    fetches_.emplace(id, FetchOp{t.partition, t.sources, 0, 0, 0, 0});
    request_slice(id);
  }
}

// Asks the first usable source, from the current one on, for the op's next slice.
template <Storage S, Transport T>
void NodeCore<S, T>::request_slice(std::uint64_t id) {
  FetchOp& op = fetches_.at(id);
  assert(!op.sources.empty());
  for (std::size_t k = 0; k < op.sources.size(); ++k) {
    const std::size_t i = (op.source + k) % op.sources.size();
    if (usable(op.sources[i])) {
      op.source = i;
      break;
    }
  }
  op.timer = transport_.schedule(2 * config_.request_timeout, [this, id] { on_fetch_timeout(id); });
  op.asked = next_id(RequestKind::fetch);
  send(op.sources[op.source], wire::PartitionFetch{op.asked, op.partition, op.slice,
                                                   config_.transfer_batch_keys,
                                                   config_.transfer_batch_bytes});
}

// A silent source is suspected and the next one asked, from the first slice: the destination
// should end up holding everything its source holds.
template <Storage S, Transport T>
void NodeCore<S, T>::on_fetch_timeout(std::uint64_t id) {
  const auto it = fetches_.find(id);
  if (it == fetches_.end()) return;
  FetchOp& op = it->second;
  suspect(op.sources[op.source], 2 * config_.request_timeout);
  op.source = (op.source + 1) % op.sources.size();
  op.slice = 0;
  request_slice(id);
}

template <Storage S, Transport T>
void NodeCore<S, T>::on_partition_chunk(const std::string& from, wire::PartitionChunk chunk) {
  const auto it = std::ranges::find_if(fetches_, [&](const auto& entry) {
    return entry.second.asked == chunk.request_id;
  });
  if (it == fetches_.end()) return unmatched();
  FetchOp& op = it->second;
  const std::uint64_t id = it->first;
  if (op.sources[op.source] != from || chunk.partition != op.partition) return unmatched();
  const bool confirmation = op.slice == wire::transfer_slices;
  if (!confirmation && (chunk.next_slice <= op.slice || chunk.next_slice > wire::transfer_slices)) {
    return unmatched();  // not an answer to what was asked; the timeout asks again
  }
  op.asked = 0;
  transport_.cancel(op.timer);
  if (confirmation) return finish_fetch(id);
  for (const wire::KeyVersions& e : chunk.entries) {
    const ring::Position pos = ring::hash_key(ring().params().hash, e.key);
    if (ring().partition_of(pos) == op.partition && !e.siblings.empty()) {
      store_.merge(pos, e.key, e.siblings);
    }
  }
  metrics_.transfer_keys_fetched.add(chunk.entries.size());
  op.slice = chunk.next_slice;
  when_durable([this, id] {
    const auto again = fetches_.find(id);
    if (again == fetches_.end()) return;
    again->second.timer = transport_.schedule(config_.transfer_interval, [this, id] {
      if (fetches_.contains(id)) request_slice(id);
    });
  });
}

template <Storage S, Transport T>
void NodeCore<S, T>::finish_fetch(std::uint64_t id) {
  const auto it = fetches_.find(id);
  assert(it != fetches_.end());
  fetched_.insert(it->second.partition);
  fetches_.erase(it);
  if (fetches_left() > 0) return start_fetches();
  fetched_epoch_ = view().epoch();
  log(LogLevel::info, "fetches_complete",
      "fetched every partition ring epoch " + std::to_string(view().epoch()) + " gives it (" +
          std::to_string(metrics_.transfer_keys_fetched.value()) + " keys so far)",
      {{"epoch", std::to_string(view().epoch())},
       {"keys", std::to_string(metrics_.transfer_keys_fetched.value())}});
  membership_.announce_self();
  membership_.maybe_complete_change();
}

// The source's side: whole slices from the one asked for, up to the requester's bounds (at least
// one slice). Slices served in order to one requester are remembered, so that once it confirms
// the whole partition this node knows which of its keys that requester already holds.
template <Storage S, Transport T>
void NodeCore<S, T>::on_partition_fetch(const std::string& from, const wire::PartitionFetch& m) {
  if (m.partition >= ring().params().partitions) return;
  ServedFetch& served = served_[{m.partition, from}];
  if (m.slice >= wire::transfer_slices) {
    served.complete = served.next_slice >= wire::transfer_slices;
    send(from, wire::PartitionChunk{m.request_id, m.partition, wire::transfer_slices, {}});
    return;
  }
  if (m.slice == 0) served = ServedFetch{};
  const std::size_t max_keys = std::clamp<std::size_t>(m.max_keys, 1, config_.limits.max_sync_entries);
  const std::size_t max_bytes = std::clamp<std::size_t>(m.max_bytes, 1, config_.limits.max_frame / 2);
  wire::PartitionChunk chunk{m.request_id, m.partition, m.slice, {}};
  std::size_t bytes = 0;
  const std::uint32_t q = ring().params().partitions;
  for (std::uint32_t s = m.slice; s < wire::transfer_slices; ++s) {
    if (!chunk.entries.empty() && (chunk.entries.size() >= max_keys || bytes >= max_bytes)) break;
    storage().for_each_in_range(ring::slice_range(q, m.partition, wire::transfer_slices, s),
                               [&](ring::Position, std::string_view key, const Siblings& siblings) {
                                 bytes += key.size();
                                 for (const Versioned& v : siblings.versions()) {
                                   bytes += v.value.size() + 32;
                                 }
                                 chunk.entries.push_back({Key(key), siblings});
                               });
    chunk.next_slice = s + 1;
  }
  if (wire::check_limits(chunk, config_.limits)) {
    log(LogLevel::error, "slice_too_large",
        "cannot send partition " + std::to_string(m.partition) + " to " + from + ": slice " +
            std::to_string(m.slice) + " alone exceeds the frame limits",
        {{"peer", from}, {"partition", std::to_string(m.partition)}, {"slice", std::to_string(m.slice)}});
    return;
  }
  if (m.slice == served.next_slice) served.next_slice = chunk.next_slice;
  send(from, chunk);
}

// A key changed after its slice went to a requester: the requester may lack this state.
template <Storage S, Transport T>
void NodeCore<S, T>::note_dirty(ring::Position pos, std::string_view key) {
  const std::uint32_t partition = ring().partition_of(pos);
  if (misplaced(partition)) may_hold_misplaced_ = true;
  if (served_.empty()) return;
  const std::uint32_t slice = ring::slice_of(ring().params().partitions, wire::transfer_slices, pos);
  for (auto it = served_.lower_bound({partition, std::string()});
       it != served_.end() && it->first.first == partition; ++it) {
    if (it->second.next_slice > slice) {
      dirty_[partition].insert(Key(key));
      return;
    }
  }
}

template <Storage S, Transport T>
bool NodeCore<S, T>::misplaced(std::uint32_t partition) const {
  return view().known() && !membership_.replicates_now_or_next(partition);
}

template <Storage S, Transport T>
std::vector<std::string> NodeCore<S, T>::rightful_replicas(std::uint32_t partition) const {
  std::set<std::string> names;
  for (const ring::Ring* layout : {&view().current(), &view().next()}) {
    for (const ring::NodeIndex i : layout->primaries(partition)) names.insert(layout->member(i).name);
  }
  names.erase(config_.name);
  return {names.begin(), names.end()};
}

// Whether a current replica of the partition fetched all of it from this node.
template <Storage S, Transport T>
bool NodeCore<S, T>::handoff_confirmed(std::uint32_t partition) const {
  for (auto it = served_.lower_bound({partition, std::string()});
       it != served_.end() && it->first.first == partition; ++it) {
    if (it->second.complete && view().replicates_now(it->first.second, partition)) return true;
  }
  return false;
}

// Once every live member holds this node's ring (so nobody still sends it reads for what it
// drops), walks the partitions it holds keys of without being their replica.
template <Storage S, Transport T>
void NodeCore<S, T>::relocate_misplaced() {
  if (!may_hold_misplaced_ || !view().known() || !membership_.ring_is_newest() ||
      !membership_.ring_seen_by_all(view().epoch())) {
    return;
  }
  const std::uint32_t q = ring().params().partitions;
  std::size_t budget = config_.transfer_batch_keys > relocations_.size()
                           ? config_.transfer_batch_keys - relocations_.size()
                           : 0;
  const std::uint64_t dropped = metrics_.transfer_keys_dropped.value();
  bool found = false;  // a misplaced key this sweep, handed off or waiting
  for (std::uint32_t tries = 0; tries < q && budget > 0; ++tries) {
    if (misplaced(relocation_cursor_)) found |= relocate_partition(relocation_cursor_, budget);
    if (budget > 0) relocation_cursor_ = (relocation_cursor_ + 1) % q;
  }
  // A whole sweep found nothing: no need to look again until the ring changes or a write lands
  // in a partition this node does not replicate.
  if (!found && budget > 0) may_hold_misplaced_ = false;
  if (metrics_.transfer_keys_dropped.value() > dropped) {
    const std::string keys = std::to_string(metrics_.transfer_keys_dropped.value() - dropped);
    log(LogLevel::info, "keys_dropped",
        "dropped " + keys +
            " key(s) of partitions it no longer replicates: their new replicas fetched them from it",
        {{"keys", keys}});
  }
}

// Returns whether the partition held any key.
template <Storage S, Transport T>
bool NodeCore<S, T>::relocate_partition(std::uint32_t partition, std::size_t& budget) {
  struct Held {
    ring::Position pos;
    Key key;
    Siblings siblings;
  };
  const bool confirmed = handoff_confirmed(partition);
  const std::set<Key>& dirty = dirty_[partition];
  std::vector<Held> drop;
  std::vector<Held> offer;
  bool any = false;
  storage().for_each_in_range(ring::partition_range(ring().params(), partition),
                             [&](ring::Position pos, std::string_view key, const Siblings& s) {
                               any = true;
                               if (confirmed && !dirty.contains(Key(key))) {
                                 drop.push_back({pos, Key(key), s});
                               } else if (budget > 0 && !relocating_.contains({"", Key(key)})) {
                                 --budget;
                                 offer.push_back({pos, Key(key), s});
                               }
                             });
  for (const Held& h : drop) store_.erase(h.pos, h.key, h.siblings);
  metrics_.transfer_keys_dropped.add(drop.size());
  for (Held& h : offer) start_relocation({}, std::move(h.key), h.pos, std::move(h.siblings));
  if (!any) {
    std::erase_if(served_, [&](const auto& entry) { return entry.first.first == partition; });
    dirty_.erase(partition);
  }
  return any;
}

// Writes the sibling set to every rightful replica of its key; the copy here (a key of this
// node's, or a hint for `hint_owner`) goes once all of them acknowledged.
template <Storage S, Transport T>
void NodeCore<S, T>::start_relocation(std::string hint_owner, Key key, ring::Position pos,
                                      Siblings sent) {
  assert(pos == ring::hash_key(ring().params().hash, key));
  std::vector<std::string> targets = rightful_replicas(ring().partition_of(pos));
  if (targets.empty() || !std::ranges::all_of(targets, [&](const std::string& t) { return usable(t); })) {
    return;  // all must acknowledge; try again once they are reachable
  }
  const std::uint64_t id = next_id(RequestKind::relocation);
  RelocationOp& op = relocations_[id];
  op.hint_owner = std::move(hint_owner);
  op.key = std::move(key);
  op.pos = pos;
  op.sent = std::move(sent);
  op.waiting.insert(targets.begin(), targets.end());
  relocating_.insert({op.hint_owner, op.key});
  op.timer = transport_.schedule(2 * config_.request_timeout, [this, id] {
    const auto it = relocations_.find(id);
    if (it == relocations_.end()) return;
    for (const std::string& silent : it->second.waiting) suspect(silent, 2 * config_.request_timeout);
    relocating_.erase({it->second.hint_owner, it->second.key});
    relocations_.erase(it);
  });
  for (const std::string& target : targets) send(target, wire::ReplicaWrite{id, op.key, op.sent});
}

template <Storage S, Transport T>
void NodeCore<S, T>::on_relocation_ack(std::uint64_t id, const std::string& from,
                                       const wire::Status& status) {
  const auto it = relocations_.find(id);
  if (it == relocations_.end()) return unmatched();
  RelocationOp& op = it->second;
  if (!op.waiting.contains(from)) return unmatched();
  if (!status.ok()) return;
  op.waiting.erase(from);
  if (!op.waiting.empty()) return;
  transport_.cancel(op.timer);
  RelocationOp done = std::move(op);
  relocations_.erase(it);
  relocating_.erase({done.hint_owner, done.key});
  if (done.hint_owner.empty()) {
    if (misplaced(ring().partition_of(done.pos)) && store_.get(done.pos, done.key) == done.sent) {
      store_.erase(done.pos, done.key, done.sent);
      metrics_.transfer_keys_handed_off.add();
    }
  } else if (store_.get_hint(done.hint_owner, done.key) == done.sent) {
    store_.erase_hint(done.hint_owner, done.key);
  }
}

}  // namespace dynamo
