#pragma once
// PeerHealth: which peers a coordinator should skip for now. A peer that let a request time out
// is suspected, so the sloppy quorum picks a fallback instead of waiting on it again; any
// message from the peer clears the suspicion at once. Two rules keep the suspicion honest:
// - a timeout counts only if nothing at all was heard from the peer since that request was
//   sent: a late timeout of an old request (a hint replay, a write from a fault long healed)
//   must not undo the proof of life a later answer gave;
// - a suspicion lasts while the peer stays silent: the owner renews it (renew_silent) and
//   probes the peer, whose first answer clears it. A suspicion that simply lapsed would send
//   requests to a dead peer again long before the phi-accrual detector marks it down.
// Used by NodeCore and ClientCore, each for the peers it sends requests to.

#include <algorithm>
#include <cassert>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dynamo {

class PeerHealth {
 public:
  // `suspect_period`: how long one timeout keeps a peer suspected unless renewed.
  // `memory`: how long a peer's last message is remembered; a timeout whose request waited
  // longer than this suspects the peer whatever was heard (as if nothing had been).
  PeerHealth(std::chrono::milliseconds suspect_period, std::chrono::milliseconds memory)
      : period_(suspect_period), memory_(memory) {
    assert(suspect_period.count() > 0 && memory.count() >= 0);
  }

  // Any message from the peer. Returns true when the peer was suspected until now.
  bool heard_from(std::string_view peer, std::chrono::milliseconds now) {
    const auto heard = last_heard_.find(peer);
    if (heard == last_heard_.end()) {
      last_heard_.emplace(std::string(peer), now);
    } else {
      heard->second = now;
    }
    const auto it = suspected_until_.find(peer);
    if (it == suspected_until_.end()) return false;
    const bool was_suspected = now < it->second;
    suspected_until_.erase(it);
    return was_suspected;
  }

  // A request sent to the peer `waited` ago got no answer in time. Suspects the peer unless it
  // was heard from after the request left. Returns true when the peer was not suspected before.
  bool timed_out(std::string_view peer, std::chrono::milliseconds now,
                 std::chrono::milliseconds waited) {
    if (const auto heard = last_heard_.find(peer);
        heard != last_heard_.end() && heard->second > now - waited) {
      return false;
    }
    const bool fresh = !is_suspected(peer, now);
    suspected_until_.insert_or_assign(std::string(peer), now + period_);
    return fresh;
  }

  // The transport could not reach the peer: suspect it, whatever was heard before.
  bool unreachable(std::string_view peer, std::chrono::milliseconds now) {
    return timed_out(peer, now, std::chrono::milliseconds{0});
  }

  bool is_suspected(std::string_view peer, std::chrono::milliseconds now) const {
    const auto it = suspected_until_.find(peer);
    return it != suspected_until_.end() && now < it->second;
  }
  // The peers suspected at `now`, by name.
  std::vector<std::string> suspected(std::chrono::milliseconds now) const {
    std::vector<std::string> peers;
    for (const auto& [peer, until] : suspected_until_) {
      if (now < until) peers.push_back(peer);
    }
    return peers;
  }

  // Renews every suspicion that would lapse within `horizon` (or has lapsed) of a peer still
  // silent since it was suspected and for which `keep(peer)` holds; forgets the others, and
  // last-heard times older than the memory. Returns the renewed peers: the caller probes them,
  // so a peer that is back answers and is cleared.
  template <class Keep>
  std::vector<std::string> renew_silent(std::chrono::milliseconds now,
                                        std::chrono::milliseconds horizon, Keep&& keep) {
    std::vector<std::string> renewed;
    for (auto it = suspected_until_.begin(); it != suspected_until_.end();) {
      if (it->second > now + horizon) {
        ++it;
      } else if (keep(it->first)) {
        it->second = now + std::max(period_, horizon + horizon);
        renewed.push_back(it->first);
        ++it;
      } else {
        it = suspected_until_.erase(it);
      }
    }
    std::erase_if(last_heard_, [&](const auto& entry) { return entry.second < now - memory_; });
    return renewed;
  }

 private:
  std::chrono::milliseconds period_;
  std::chrono::milliseconds memory_;
  std::map<std::string, std::chrono::milliseconds, std::less<>> suspected_until_;
  std::map<std::string, std::chrono::milliseconds, std::less<>> last_heard_;
};

}  // namespace dynamo
