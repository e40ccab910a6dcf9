#pragma once
// RangeTransfer's definitions (node/range_transfer.hpp): fetching, serving, handing off.

namespace dynamo {

template <TransferContext C>
RangeTransfer<C>::RangeTransfer(C& context, const Config& config, Timers& timers, RequestIds& ids)
    : context_(context),
      config_(config),
      ids_(ids),
      fetches_(timers, ids, RequestKind::fetch, [this](std::uint64_t id) { on_fetch_deadline(id); }),
      relocations_(timers, ids, RequestKind::relocation,
                   [this](std::uint64_t id) { on_relocation_deadline(id); }) {}

template <TransferContext C>
void RangeTransfer<C>::on_ring_change() {
  may_hold_misplaced_ = true;
  if (view().stable()) {
    // What this node served only matters for partitions it no longer holds.
    std::erase_if(served_, [&](const auto& entry) { return context_.replicates(entry.first.first); });
    std::erase_if(dirty_, [&](const auto& entry) { return context_.replicates(entry.first); });
  }
  reconcile_fetches();
}

// Partitions it fetched for the change stay fetched if it still needs them: it has had every
// write to them since.
template <TransferContext C>
void RangeTransfer<C>::reconcile_fetches() {
  all_have_ring_since_.reset();
  std::set<std::uint32_t> mine;
  for (const membership::Transfer& t : view().transfers()) {
    if (t.destination == config_.name) mine.insert(t.partition);
  }
  std::erase_if(fetched_, [&](std::uint32_t p) { return !mine.contains(p); });
  for (const std::uint64_t id :
       fetches_.ids_if([&](const FetchOp& op) { return !mine.contains(op.partition); })) {
    fetches_.take(id);
  }
  if (std::ranges::includes(fetched_, mine)) fetched_epoch_ = view().epoch();
}

template <TransferContext C>
std::size_t RangeTransfer<C>::fetches_left() const {
  std::size_t left = 0;
  for (const membership::Transfer& t : view().transfers()) {
    if (t.destination == config_.name && !fetched_.contains(t.partition)) ++left;
  }
  return left;
}

template <TransferContext C>
void RangeTransfer<C>::start_fetches() {
  if (view().stable() || fetched_epoch_ >= view().epoch() || !context_.ring_is_newest()) return;
  if (!context_.ring_seen_by_all(view().epoch())) {
    all_have_ring_since_.reset();
    return;
  }
  if (!all_have_ring_since_) all_have_ring_since_ = context_.now();
  if (context_.now() - *all_have_ring_since_ < config_.request_timeout) return;
  for (const membership::Transfer& t : view().transfers()) {
    if (fetches_.size() >= config_.transfer_concurrency) break;
    if (t.destination != config_.name || fetched_.contains(t.partition)) continue;
    const std::uint32_t partition = t.partition;
    if (fetches_.find_if([&](const FetchOp& op) { return op.partition == partition; })) continue;
    request_slice(fetches_.start(FetchOp{t.partition, t.sources, 0, 0, 0}, fetch_timeout()));
  }
}

// Asks the first usable source, from the current one on, for the op's next slice. The caller
// has armed the fetch's deadline.
template <TransferContext C>
void RangeTransfer<C>::request_slice(std::uint64_t id) {
  FetchOp& op = fetches_.at(id);
  assert(!op.sources.empty());
  for (std::size_t k = 0; k < op.sources.size(); ++k) {
    const std::size_t i = (op.source + k) % op.sources.size();
    if (context_.usable(op.sources[i])) {
      op.source = i;
      break;
    }
  }
  op.asked = ids_.next(RequestKind::fetch);
  context_.send(op.sources[op.source],
                wire::PartitionFetch{op.asked, op.partition, op.slice, config_.transfer_batch_keys,
                                     config_.transfer_batch_bytes});
}

// While a slice is asked (asked != 0), the deadline means the source stayed silent: it is
// suspected and the next one asked, from the first slice, since the destination should end up
// holding everything its source holds. Otherwise transfer_interval has passed since the last
// chunk became durable: the next slice is due.
template <TransferContext C>
void RangeTransfer<C>::on_fetch_deadline(std::uint64_t id) {
  FetchOp& op = fetches_.at(id);
  if (op.asked != 0) {
    context_.suspect(op.sources[op.source], fetch_timeout());
    op.source = (op.source + 1) % op.sources.size();
    op.slice = 0;
  }
  fetches_.rearm(id, fetch_timeout());
  request_slice(id);
}

template <TransferContext C>
void RangeTransfer<C>::on_partition_chunk(const std::string& from, wire::PartitionChunk chunk) {
  const std::uint64_t answered = chunk.request_id;
  const std::optional<std::uint64_t> found = fetches_.find_if(
      [&](const FetchOp& op) { return op.asked != 0 && op.asked == answered; });
  if (!found) return unmatched();
  const std::uint64_t id = *found;
  FetchOp& op = fetches_.at(id);
  if (op.sources[op.source] != from || chunk.partition != op.partition) return unmatched();
  const bool confirmation = op.slice == wire::transfer_slices;
  if (!confirmation && (chunk.next_slice <= op.slice || chunk.next_slice > wire::transfer_slices)) {
    return unmatched();  // not an answer to what was asked; the deadline asks again
  }
  op.asked = 0;
  if (confirmation) return finish_fetch(id);
  // Until the chunk is durable the fetch waits for the storage, not for a peer.
  fetches_.park(id);
  for (const wire::KeyVersions& e : chunk.entries) {
    const ring::Position pos = ring::hash_key(ring().params().hash, e.key);
    if (ring().partition_of(pos) == op.partition && !e.siblings.empty()) {
      context_.store().merge(pos, e.key, e.siblings);
    }
  }
  context_.metrics().transfer_keys_fetched.add(chunk.entries.size());
  op.slice = chunk.next_slice;
  context_.when_durable([this, id] {
    if (fetches_.contains(id)) fetches_.rearm(id, config_.transfer_interval);
  });
}

template <TransferContext C>
void RangeTransfer<C>::finish_fetch(std::uint64_t id) {
  const std::optional<FetchOp> op = fetches_.take(id);
  assert(op);
  fetched_.insert(op->partition);
  if (fetches_left() > 0) return start_fetches();
  fetched_epoch_ = view().epoch();
  const std::uint64_t keys = context_.metrics().transfer_keys_fetched.value();
  context_.log(LogLevel::info, "fetches_complete",
               "fetched every partition ring epoch " + std::to_string(view().epoch()) +
                   " gives it (" + std::to_string(keys) + " keys so far)",
               {{"epoch", std::to_string(view().epoch())}, {"keys", std::to_string(keys)}});
  context_.fetches_complete();
}

// The source's side: whole slices from the one asked for, up to the requester's bounds (at least
// one slice). Slices served in order to one requester are remembered, so that once it confirms
// the whole partition this node knows which of its keys that requester already holds.
template <TransferContext C>
void RangeTransfer<C>::on_partition_fetch(const std::string& from, const wire::PartitionFetch& m) {
  if (m.partition >= ring().params().partitions) return;
  ServedFetch& served = served_[{m.partition, from}];
  if (m.slice >= wire::transfer_slices) {
    served.complete = served.next_slice >= wire::transfer_slices;
    context_.send(from, wire::PartitionChunk{m.request_id, m.partition, wire::transfer_slices, {}});
    return;
  }
  if (m.slice == 0) served = ServedFetch{};
  const std::size_t max_keys =
      std::clamp<std::size_t>(m.max_keys, 1, config_.limits.max_sync_entries);
  const std::size_t max_bytes = std::clamp<std::size_t>(m.max_bytes, 1, config_.limits.max_frame / 2);
  wire::PartitionChunk chunk{m.request_id, m.partition, m.slice, {}};
  std::size_t bytes = 0;
  const std::uint32_t q = ring().params().partitions;
  for (std::uint32_t s = m.slice; s < wire::transfer_slices; ++s) {
    if (!chunk.entries.empty() && (chunk.entries.size() >= max_keys || bytes >= max_bytes)) break;
    context_.store().storage().for_each_in_range(
        ring::slice_range(q, m.partition, wire::transfer_slices, s),
        [&](ring::Position, std::string_view key, const Siblings& siblings) {
          bytes += key.size();
          for (const Versioned& v : siblings.versions()) bytes += v.value.size() + 32;
          chunk.entries.push_back({Key(key), siblings});
        });
    chunk.next_slice = s + 1;
  }
  if (wire::check_limits(chunk, config_.limits)) {
    context_.log(LogLevel::error, "slice_too_large",
                 "cannot send partition " + std::to_string(m.partition) + " to " + from +
                     ": slice " + std::to_string(m.slice) + " alone exceeds the frame limits",
                 {{"peer", from},
                  {"partition", std::to_string(m.partition)},
                  {"slice", std::to_string(m.slice)}});
    return;
  }
  if (m.slice == served.next_slice) served.next_slice = chunk.next_slice;
  context_.send(from, chunk);
}

// A key changed after its slice went to a requester: the requester may lack this state.
template <TransferContext C>
void RangeTransfer<C>::note_dirty(ring::Position pos, std::string_view key) {
  const std::uint32_t partition = ring().partition_of(pos);
  if (context_.misplaced(partition)) may_hold_misplaced_ = true;
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

// Every home replica of the partition in the current or the next layout, but this node.
template <TransferContext C>
std::vector<std::string> RangeTransfer<C>::rightful_replicas(std::uint32_t partition) const {
  std::set<std::string> names;
  for (const ring::Ring* layout : {&view().current(), &view().next()}) {
    for (const ring::NodeIndex i : layout->primaries(partition)) names.insert(layout->member(i).name);
  }
  names.erase(config_.name);
  return {names.begin(), names.end()};
}

// Whether a current replica of the partition fetched all of it from this node.
template <TransferContext C>
bool RangeTransfer<C>::handoff_confirmed(std::uint32_t partition) const {
  for (auto it = served_.lower_bound({partition, std::string()});
       it != served_.end() && it->first.first == partition; ++it) {
    if (it->second.complete && view().replicates_now(it->first.second, partition)) return true;
  }
  return false;
}

// Once every live member holds this node's ring (so nobody still sends it reads for what it
// drops), walks the partitions it holds keys of without being their replica.
template <TransferContext C>
void RangeTransfer<C>::relocate_misplaced() {
  if (!may_hold_misplaced_ || !view().known() || !context_.ring_is_newest() ||
      !context_.ring_seen_by_all(view().epoch())) {
    return;
  }
  const std::uint32_t q = ring().params().partitions;
  std::size_t budget = config_.transfer_batch_keys > relocations_.size()
                           ? config_.transfer_batch_keys - relocations_.size()
                           : 0;
  metrics::Counter& dropped_keys = context_.metrics().transfer_keys_dropped;
  const std::uint64_t dropped = dropped_keys.value();
  bool found = false;  // a misplaced key this sweep, handed off or waiting
  for (std::uint32_t tries = 0; tries < q && budget > 0; ++tries) {
    if (context_.misplaced(relocation_cursor_)) found |= relocate_partition(relocation_cursor_, budget);
    if (budget > 0) relocation_cursor_ = (relocation_cursor_ + 1) % q;
  }
  // A whole sweep found nothing: no need to look again until the ring changes or a write lands
  // in a partition this node does not replicate.
  if (!found && budget > 0) may_hold_misplaced_ = false;
  if (dropped_keys.value() > dropped) {
    const std::string keys = std::to_string(dropped_keys.value() - dropped);
    context_.log(LogLevel::info, "keys_dropped",
                 "dropped " + keys +
                     " key(s) of partitions it no longer replicates: their new replicas fetched "
                     "them from it",
                 {{"keys", keys}});
  }
}

// Returns whether the partition held any key.
template <TransferContext C>
bool RangeTransfer<C>::relocate_partition(std::uint32_t partition, std::size_t& budget) {
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
  context_.store().storage().for_each_in_range(
      ring::partition_range(ring().params(), partition),
      [&](ring::Position pos, std::string_view key, const Siblings& s) {
        any = true;
        if (confirmed && !dirty.contains(Key(key))) {
          drop.push_back({pos, Key(key), s});
        } else if (budget > 0 && !relocating_.contains({"", Key(key)})) {
          --budget;
          offer.push_back({pos, Key(key), s});
        }
      });
  for (const Held& h : drop) context_.store().erase(h.pos, h.key, h.siblings);
  context_.metrics().transfer_keys_dropped.add(drop.size());
  for (Held& h : offer) start_relocation({}, std::move(h.key), h.pos, std::move(h.siblings));
  if (!any) {
    std::erase_if(served_, [&](const auto& entry) { return entry.first.first == partition; });
    dirty_.erase(partition);
  }
  return any;
}

template <TransferContext C>
void RangeTransfer<C>::start_relocation(std::string hint_owner, Key key, ring::Position pos,
                                        Siblings sent) {
  assert(pos == ring::hash_key(ring().params().hash, key));
  assert(!relocating(hint_owner, key));
  std::vector<std::string> targets = rightful_replicas(ring().partition_of(pos));
  if (targets.empty() ||
      !std::ranges::all_of(targets, [&](const std::string& t) { return context_.usable(t); })) {
    return;  // all must acknowledge; try again once they are reachable
  }
  const std::uint64_t id = relocations_.start(
      RelocationOp{std::move(hint_owner), std::move(key), pos, std::move(sent),
                   std::set<std::string>(targets.begin(), targets.end())},
      fetch_timeout());
  const RelocationOp& op = relocations_.at(id);
  relocating_.insert({op.hint_owner, op.key});
  for (const std::string& target : targets) {
    context_.send(target, wire::ReplicaWrite{id, op.key, op.sent});
  }
}

// The replicas still silent are suspected; the key stays here, and a later sweep (or hint
// round) offers it again.
template <TransferContext C>
void RangeTransfer<C>::on_relocation_deadline(std::uint64_t id) {
  const std::optional<RelocationOp> op = relocations_.take(id);
  assert(op);
  for (const std::string& silent : op->waiting) context_.suspect(silent, fetch_timeout());
  relocating_.erase({op->hint_owner, op->key});
}

template <TransferContext C>
void RangeTransfer<C>::on_relocation_ack(std::uint64_t id, const std::string& from,
                                         const wire::Status& status) {
  RelocationOp* op = relocations_.find(id);
  if (op == nullptr || !op->waiting.contains(from)) return unmatched();
  if (!status.ok()) return;
  op->waiting.erase(from);
  if (!op->waiting.empty()) return;
  RelocationOp done = std::move(*relocations_.take(id));
  relocating_.erase({done.hint_owner, done.key});
  auto& store = context_.store();
  if (done.hint_owner.empty()) {
    if (context_.misplaced(ring().partition_of(done.pos)) &&
        store.get(done.pos, done.key) == done.sent) {
      store.erase(done.pos, done.key, done.sent);
      context_.metrics().transfer_keys_handed_off.add();
    }
  } else if (store.get_hint(done.hint_owner, done.key) == done.sent) {
    store.erase_hint(done.hint_owner, done.key);
  }
}

template <TransferContext C>
void RangeTransfer<C>::halt() {
  fetches_.clear();
  relocations_.clear();
  relocating_.clear();
}

template <TransferContext C>
template <class Live>
void RangeTransfer<C>::check_invariants(Live live) const {
  // Between a chunk and its durability a fetch waits for the storage, not for a peer.
  fetches_.check_invariants("partition fetch", live, context_.durability_pending());
  if (fetches_.size() > config_.transfer_concurrency) {
    throw std::logic_error("more than transfer_concurrency partition fetches in flight: " +
                           std::to_string(fetches_.size()));
  }
  fetches_.for_each([&](std::uint64_t id, const FetchOp& op) {
    if (op.source >= op.sources.size()) {
      throw std::logic_error("partition fetch " + std::to_string(id) + " asks none of its sources");
    }
    if (fetches_.parked(id) && op.asked != 0) {
      throw std::logic_error("partition fetch " + std::to_string(id) +
                             " waits for the storage while a slice is asked");
    }
  });
  relocations_.check_invariants("relocation", live);
  relocations_.for_each([&](std::uint64_t id, const RelocationOp& op) {
    if (op.waiting.empty()) {
      throw std::logic_error("relocation " + std::to_string(id) + " of " + op.key +
                             ": every replica acknowledged but it is still in flight");
    }
    if (!relocating_.contains({op.hint_owner, op.key})) {
      throw std::logic_error("relocation " + std::to_string(id) + " of " + op.key +
                             " is missing from relocating_");
    }
  });
  // Together with the check above: relocating_ holds exactly the relocations' (owner, key).
  if (relocating_.size() != relocations_.size()) {
    throw std::logic_error("relocating_ lists " + std::to_string(relocating_.size()) +
                           " entries for " + std::to_string(relocations_.size()) +
                           " relocations in flight");
  }
}

}  // namespace dynamo
