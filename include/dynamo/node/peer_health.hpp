#pragma once
// PeerHealth: which peers a coordinator should skip for now. A peer that let a request time out
// is suspected for a while, so the sloppy quorum picks a fallback instead of waiting on it again;
// any message from the peer clears the suspicion at once. (Gossip and phi-accrual detection
// will refine this; the coordinator only asks "is it worth trying?".)

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace dynamo {

class PeerHealth {
 public:
  explicit PeerHealth(std::chrono::milliseconds suspect_period) : period_(suspect_period) {}

  // Returns true when the peer was suspected until now.
  bool heard_from(std::string_view peer, std::chrono::milliseconds now) {
    const auto it = suspected_until_.find(peer);
    if (it == suspected_until_.end()) return false;
    const bool was_suspected = now < it->second;
    suspected_until_.erase(it);
    return was_suspected;
  }

  // Returns true when the peer was not suspected before.
  bool timed_out(std::string_view peer, std::chrono::milliseconds now) {
    const bool fresh = !is_suspected(peer, now);
    suspected_until_.insert_or_assign(std::string(peer), now + period_);
    return fresh;
  }

  bool is_suspected(std::string_view peer, std::chrono::milliseconds now) const {
    const auto it = suspected_until_.find(peer);
    return it != suspected_until_.end() && now < it->second;
  }

 private:
  std::chrono::milliseconds period_;
  std::map<std::string, std::chrono::milliseconds, std::less<>> suspected_until_;
};

}  // namespace dynamo
