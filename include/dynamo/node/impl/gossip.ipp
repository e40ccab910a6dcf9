#pragma once
// Gossip and failure detection: heartbeats spread by push-pull gossip, and a phi-accrual
// detector per peer over their arrival times (the paper's section 4.8, with Cassandra's
// detector). Heartbeats also carry each node's ring epoch, which is how the ring itself spreads
// (membership.ipp).

#include <cstdio>

namespace dynamo {
// One period: a heartbeat, a look at every detector, and our view sent to one random member or
// seed believed up; and, as Cassandra's gossiper does, to one believed down (or suspected) with
// probability down / (up + 1), so a recovered one is noticed even if it has no reason to speak
// first. A dead peer never takes a live one's round: were it picked instead, two survivors of
// three would now and then not exchange heartbeats for several rounds, and phi accrual, fitted
// to regular rounds, would mark a live survivor down. Seeds keep a node that is outside the
// ring, or whose ring is old, in touch with the cluster.
template <Storage S, Transport T>
void NodeCore<S, T>::gossip_round() {
  gossip_.beat();
  detect_failures();
  probe_silent_suspects();
  refresh_metrics();
  std::vector<std::string> up;
  std::vector<std::string> down;
  for (std::string& name : gossip_targets()) {
    if (refused_.contains(name)) continue;
    const bool silent = down_.contains(name) || health_.is_suspected(name, now());
    (silent ? down : up).push_back(std::move(name));
  }
  const wire::Gossip view{gossip_.snapshot()};
  if (!up.empty()) send(up[transport_.random() % up.size()], view);
  if (!down.empty() && transport_.random() % (up.size() + 1) < down.size()) {
    send(down[transport_.random() % down.size()], view);
  }
}

// A suspected member stays suspected while it is silent (PeerHealth): each round renews the
// suspicions that would lapse before the next and sends those members our view, so one that is
// back answers (a gossip reply, our heartbeat of it being old) and is cleared at once, while a
// dead one is not tried again by every request until phi accrual marks it down.
template <Storage S, Transport T>
void NodeCore<S, T>::probe_silent_suspects() {
  const auto member = [this](const std::string& peer) {
    return !refused_.contains(peer) && (ring().find(peer) || view_.next().find(peer));
  };
  for (const std::string& peer : health_.renew_silent(now(), config_.gossip_interval, member)) {
    send(peer, wire::Gossip{gossip_.snapshot()});
  }
}

template <Storage S, Transport T>
void NodeCore<S, T>::on_gossip(const std::string& from,
                               const std::vector<wire::MemberHeartbeat>& members, bool is_reply) {
  if (!is_reply) {
    auto newer = gossip_.newer_than(members);
    if (!newer.empty()) send(from, wire::GossipReply{std::move(newer)});
  }
  if (const std::uint64_t generation = gossip_.outgrow(members)) {
    store_.put_meta(detail::generation_meta, std::to_string(generation));
    log(LogLevel::warning, "generation_outgrown",
        "took generation " + std::to_string(generation) +
            ": the cluster remembered this node with a newer one (a lost disk, a clock gone back)",
        {{"generation", std::to_string(generation)}});
  }
  for (const std::string& name : gossip_.merge(members)) heard_heartbeat(name);
  compare_ring_epochs(from, members);
  maybe_complete_change();
}

template <Storage S, Transport T>
void NodeCore<S, T>::heard_heartbeat(const std::string& peer) {
  const auto it = detectors_.find(peer);
  if (it == detectors_.end()) return;
  it->second.heartbeat(now());
  if (down_.erase(peer)) {
    log(LogLevel::info, "peer_up", peer + " is up again: its heartbeat advanced", {{"peer", peer}});
  }
}

// A message from a peer believed down proves it is up, even before its heartbeat reaches us by
// gossip; its detector restarts its clock (without taking the outage as an interval sample).
template <Storage S, Transport T>
void NodeCore<S, T>::heard_directly(const std::string& peer) {
  if (const auto it = detectors_.find(peer); it != detectors_.end()) it->second.touch(now());
  if (down_.erase(peer)) {
    log(LogLevel::info, "peer_up", peer + " is up again: it sent a message", {{"peer", peer}});
  }
}

// A member never heard from is down once it has been silent for ten gossip periods (and the
// acceptable pause) since this node began to watch it: a node admitted to the ring that never
// came must not hold up the next membership change.
template <Storage S, Transport T>
void NodeCore<S, T>::detect_failures() {
  const auto silence = config_.phi_acceptable_pause + 10 * config_.gossip_interval;
  for (const auto& [name, detector] : detectors_) {
    if (down_.contains(name)) continue;
    if (!detector.has_heartbeat()) {
      if (now() - watched_since_[name] >= silence) {
        down_.insert(name);
        log(LogLevel::warning, "peer_down",
            name + " is down: never heard from in " + std::to_string(silence.count()) + " ms",
            {{"peer", name}, {"silence_ms", std::to_string(silence.count())}});
      }
      continue;
    }
    const double suspicion = detector.phi(now());
    if (suspicion <= config_.phi_threshold) continue;
    down_.insert(name);
    const auto quiet = std::to_string((now() - detector.last_heartbeat()).count());
    char phi[32];
    std::snprintf(phi, sizeof phi, "%.1f", suspicion);
    log(LogLevel::warning, "peer_down",
        name + " is down: no heartbeat for " + quiet + " ms (phi " + phi + ")",
        {{"peer", name}, {"silence_ms", quiet}, {"phi", phi}});
  }
}

template <Storage S, Transport T>
bool NodeCore<S, T>::ready() const {
  if (stopped_ || !view_.known() || !ring().find(config_.name)) return false;
  std::size_t reachable = 0;
  for (const ring::Member& m : ring().members()) {
    if (is_self(m.name) || (verified_.contains(m.name) && usable(m.name))) ++reachable;
  }
  return reachable >= std::min<std::size_t>(config_.w, ring().size());
}

template <Storage S, Transport T>
bool NodeCore<S, T>::usable(const std::string& node) const {
  return is_self(node) || (!health_.is_suspected(node, now()) && !down_.contains(node) &&
                           !refused_.contains(node));
}

}  // namespace dynamo
