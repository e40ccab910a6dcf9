#pragma once
// PeerTable: everything a node knows of its peers, and its one answer to "may a coordinator
// use this peer now" (usable()). Three sources feed it:
// - the handshake: a peer whose Hello was compatible is verified, one whose Hello was not is
//   refused (never chosen, its messages dropped);
// - timeouts (PeerHealth): a peer that let a request time out is suspected until heard from;
// - the failure detector: a phi-accrual detector per ring member over its gossiped heartbeats
//   (the paper's section 4.8, Cassandra's detector); a member whose heartbeats stop is down.
// It is pure: time comes in as arguments, and what changed is returned for its owner to log.
//
// Thread safety: none; its node calls it from one executor.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dynamo/membership/phi_accrual.hpp"
#include "dynamo/metrics/node_metrics.hpp"
#include "dynamo/quorum/peer_health.hpp"

namespace dynamo {

class PeerTable {
 public:
  struct Options {
    std::chrono::milliseconds suspect_period{2000};  // one timeout keeps a peer suspected this long
    std::chrono::milliseconds health_memory{4000};   // how long a peer's last message counts
    std::chrono::milliseconds gossip_interval{1000};
    std::chrono::milliseconds phi_acceptable_pause{1000};
    double phi_threshold = 8.0;
  };
  // A member the detector has just declared down, and why.
  struct Down {
    std::string peer;
    std::chrono::milliseconds silence{0};
    std::optional<double> phi;  // nullopt: never heard from at all
  };

  PeerTable(std::string self, Options options)
      : self_(std::move(self)), options_(options),
        health_(options.suspect_period, options.health_memory) {}

  // -- Handshake
  bool verified(const std::string& peer) const { return verified_.contains(peer); }
  bool refused(const std::string& peer) const { return refused_.contains(peer); }
  // A Hello from `peer` arrived. Returns true when it is newly refused (the owner logs it).
  bool hello_received(const std::string& peer, bool compatible) {
    if (compatible) {
      refused_.erase(peer);
      verified_.insert(peer);
      return false;
    }
    verified_.erase(peer);
    return refused_.insert(peer).second;
  }
  void hello_sent(const std::string& peer, std::chrono::milliseconds now) { hello_sent_at_[peer] = now; }
  bool hello_ever_sent(const std::string& peer) const { return hello_sent_at_.contains(peer); }
  // Whether a Hello to `peer` is due: none sent yet, or the last `gap` ago or more.
  bool hello_due(const std::string& peer, std::chrono::milliseconds now,
                 std::chrono::milliseconds gap) const {
    const auto it = hello_sent_at_.find(peer);
    return it == hello_sent_at_.end() || now - it->second >= gap;
  }

  // -- Messages and timeouts
  // Any message from `peer`. It proves the peer alive: a suspicion is cleared and, if the
  // detector had it down, its clock restarts (without taking the outage as a sample).
  struct Heard {
    bool answers_again = false;  // it was suspected until now
    bool up_again = false;       // it was down until now
  };
  Heard heard_from(const std::string& peer, std::chrono::milliseconds now) {
    Heard heard;
    heard.answers_again = health_.heard_from(peer, now);
    if (down_.contains(peer)) {
      if (const auto it = detectors_.find(peer); it != detectors_.end()) it->second.touch(now);
      heard.up_again = down_.erase(peer) > 0;
    }
    return heard;
  }
  // A request to `peer` sent `waited` ago went unanswered (0: the transport cannot reach it).
  // Returns true when the peer was not suspected before.
  bool timed_out(const std::string& peer, std::chrono::milliseconds now,
                 std::chrono::milliseconds waited) {
    return health_.timed_out(peer, now, waited);
  }
  bool is_suspected(const std::string& peer, std::chrono::milliseconds now) const {
    return health_.is_suspected(peer, now);
  }
  // Renews the suspicions of silent peers for which keep(peer) holds (see PeerHealth); the
  // owner probes the peers returned.
  template <class Keep>
  std::vector<std::string> renew_silent(std::chrono::milliseconds now, Keep keep) {
    return health_.renew_silent(now, options_.gossip_interval,
                                [&](const std::string& peer) { return !refused(peer) && keep(peer); });
  }

  // -- Failure detection
  // The ring's members are `members`: a detector starts for each new one (watched from `now`),
  // and what is known of former members is forgotten.
  void follow(const std::vector<std::string>& members, std::chrono::milliseconds now);
  // `peer`'s heartbeat advanced (by gossip). Returns true when it was down until now.
  bool heard_heartbeat(const std::string& peer, std::chrono::milliseconds now) {
    const auto it = detectors_.find(peer);
    if (it == detectors_.end()) return false;
    it->second.heartbeat(now);
    return down_.erase(peer) > 0;
  }
  // Marks down each member whose suspicion passed the threshold, or that was never heard from
  // for ten gossip periods (and the acceptable pause) since it was first watched: a node
  // admitted that never came must not hold up the next membership change.
  std::vector<Down> detect_failures(std::chrono::milliseconds now);
  bool is_down(const std::string& peer) const { return down_.contains(peer); }
  // The detector's suspicion of `peer`; nullopt while no heartbeat was heard.
  std::optional<double> phi(const std::string& peer, std::chrono::milliseconds now) const {
    const auto it = detectors_.find(peer);
    if (it == detectors_.end() || !it->second.has_heartbeat()) return std::nullopt;
    return it->second.phi(now);
  }

  // -- The one answer
  // Whether a coordinator should try `peer` now: itself always; another peer unless suspected
  // after a timeout, believed down by the failure detector, or refused at handshake.
  bool usable(const std::string& peer, std::chrono::milliseconds now) const {
    return peer == self_ || (!health_.is_suspected(peer, now) && !down_.contains(peer) &&
                             !refused_.contains(peer));
  }
  metrics::PeerState state(const std::string& peer, std::chrono::milliseconds now) const {
    if (refused_.contains(peer)) return metrics::PeerState::refused;
    if (down_.contains(peer)) return metrics::PeerState::down;
    if (health_.is_suspected(peer, now)) return metrics::PeerState::suspected;
    return metrics::PeerState::up;
  }

 private:
  std::string self_;
  Options options_;
  PeerHealth health_;
  std::map<std::string, std::chrono::milliseconds> hello_sent_at_;
  std::set<std::string> verified_;  // peers whose Hello was compatible
  std::set<std::string> refused_;   // peers whose Hello was not
  std::map<std::string, membership::PhiAccrualDetector> detectors_;
  std::map<std::string, std::chrono::milliseconds> watched_since_;  // when each detector began
  std::set<std::string> down_;
};

inline void PeerTable::follow(const std::vector<std::string>& members,
                              std::chrono::milliseconds now) {
  membership::PhiAccrualDetector::Options detector;
  detector.first_interval = options_.gossip_interval;
  detector.acceptable_pause = options_.phi_acceptable_pause;
  const std::set<std::string> current(members.begin(), members.end());
  for (const std::string& name : members) {
    if (name != self_ && detectors_.try_emplace(name, detector).second) watched_since_[name] = now;
  }
  std::erase_if(detectors_, [&](const auto& entry) { return !current.contains(entry.first); });
  std::erase_if(watched_since_, [&](const auto& entry) { return !current.contains(entry.first); });
  std::erase_if(down_, [&](const std::string& name) { return !current.contains(name); });
}

inline std::vector<PeerTable::Down> PeerTable::detect_failures(std::chrono::milliseconds now) {
  std::vector<Down> newly_down;
  const auto silence = options_.phi_acceptable_pause + 10 * options_.gossip_interval;
  for (const auto& [name, detector] : detectors_) {
    if (down_.contains(name)) continue;
    if (!detector.has_heartbeat()) {
      if (now - watched_since_[name] >= silence) {
        down_.insert(name);
        newly_down.push_back({name, silence, std::nullopt});
      }
      continue;
    }
    const double suspicion = detector.phi(now);
    if (suspicion <= options_.phi_threshold) continue;
    down_.insert(name);
    newly_down.push_back({name, now - detector.last_heartbeat(), suspicion});
  }
  return newly_down;
}

}  // namespace dynamo
