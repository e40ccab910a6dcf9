#pragma once
// Gossip and failure detection: heartbeats spread by push-pull gossip, and a phi-accrual
// detector per peer over their arrival times (the paper's section 4.8, with Cassandra's
// detector). Membership itself is still the configured member list: gossip carries liveness.

#include <cstdio>

namespace dynamo {
template <Storage S, Transport T>
void NodeCore<S, T>::start_gossip() {
  membership::PhiAccrualDetector::Options options;
  options.first_interval = config_.gossip_interval;
  options.acceptable_pause = config_.phi_acceptable_pause;
  for (const MemberConfig& m : config_.members) {
    if (!is_self(m.name)) detectors_.emplace(m.name, membership::PhiAccrualDetector(options));
  }
  gossip_timer_ = transport_.schedule(config_.gossip_interval, [this] { gossip_round(); });
}

// One period: a heartbeat, a look at every detector, and our view sent to one random member.
// Down members are picked too, in proportion, so a recovered one is noticed even if it has no
// reason to speak first.
template <Storage S, Transport T>
void NodeCore<S, T>::gossip_round() {
  gossip_.beat();
  detect_failures();
  std::vector<const std::string*> candidates;
  for (const auto& [name, detector] : detectors_) {
    if (!refused_.contains(name)) candidates.push_back(&name);
  }
  if (!candidates.empty()) {
    const std::string& peer = *candidates[transport_.random() % candidates.size()];
    send(peer, wire::Gossip{gossip_.snapshot()});
  }
  gossip_timer_ = transport_.schedule(config_.gossip_interval, [this] { gossip_round(); });
}

template <Storage S, Transport T>
void NodeCore<S, T>::on_gossip(const std::string& from,
                               const std::vector<wire::MemberHeartbeat>& members, bool is_reply) {
  if (!is_reply) {
    auto newer = gossip_.newer_than(members);
    if (!newer.empty()) send(from, wire::GossipReply{std::move(newer)});
  }
  for (const std::string& name : gossip_.merge(members)) heard_heartbeat(name);
}

template <Storage S, Transport T>
void NodeCore<S, T>::heard_heartbeat(const std::string& peer) {
  const auto it = detectors_.find(peer);
  if (it == detectors_.end()) return;
  it->second.heartbeat(now());
  if (down_.erase(peer)) log(peer + " is up again: its heartbeat advanced");
}

// A message from a peer believed down proves it is up, even before its heartbeat reaches us by
// gossip; its detector restarts its clock (without taking the outage as an interval sample).
template <Storage S, Transport T>
void NodeCore<S, T>::heard_directly(const std::string& peer) {
  if (const auto it = detectors_.find(peer); it != detectors_.end()) it->second.touch(now());
  if (down_.erase(peer)) log(peer + " is up again: it sent a message");
}

template <Storage S, Transport T>
void NodeCore<S, T>::detect_failures() {
  for (const auto& [name, detector] : detectors_) {
    if (down_.contains(name) || !detector.has_heartbeat()) continue;
    const double suspicion = detector.phi(now());
    if (suspicion <= config_.phi_threshold) continue;
    down_.insert(name);
    char line[96];
    std::snprintf(line, sizeof line, " is down: no heartbeat for %lld ms (phi %.1f)",
                  static_cast<long long>((now() - detector.last_heartbeat()).count()), suspicion);
    log(name + line);
  }
}

template <Storage S, Transport T>
bool NodeCore<S, T>::usable(const std::string& node) const {
  return is_self(node) || (!health_.is_suspected(node, now()) && !down_.contains(node) &&
                           !refused_.contains(node));
}

}  // namespace dynamo
