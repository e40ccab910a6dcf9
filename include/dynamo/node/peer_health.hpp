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

  void heard_from(std::string_view peer) {
    const auto it = suspected_until_.find(peer);
    if (it != suspected_until_.end()) suspected_until_.erase(it);
  }

  void timed_out(std::string_view peer, std::chrono::milliseconds now) {
    suspected_until_.insert_or_assign(std::string(peer), now + period_);
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
