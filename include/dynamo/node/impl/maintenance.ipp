#pragma once
// Background work: hinted handoff (hints offered to their owners until they acknowledge) and
// the periodic jobs, among them tombstone collection (tombstone_collector.hpp) and anti-entropy
// (anti_entropy.hpp).

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
    transfer_.start_fetches();
    membership_.maybe_complete_change();
    transfer_.relocate_misplaced();
    return {};
  });
  jobs_.add("tombstone_sweep", config_.tombstone_sweep_interval, [this]() -> Next {
    tombstones_.sweep();
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
      anti_entropy_.start_round();
      return {};
    });
  }
}

// A hint's owner is still where it belongs while it is a home replica of the key in the current
// or the next layout; otherwise the hint goes to the key's replicas instead (range_transfer.hpp).
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

}  // namespace dynamo
