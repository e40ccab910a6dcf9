#pragma once
// Gossip rounds and failure detection: heartbeats spread by push-pull gossip (the heartbeats
// are ring membership's, ring_membership.hpp), and a phi-accrual detector per peer over their
// arrival times (the peer table's; the paper's section 4.8, with Cassandra's detector).

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
  membership_.beat();
  detect_failures();
  probe_silent_suspects();
  refresh_metrics();
  std::vector<std::string> up;
  std::vector<std::string> down;
  for (std::string& name : membership_.gossip_targets()) {
    if (peers_.refused(name)) continue;
    const bool silent = peers_.is_down(name) || peers_.is_suspected(name, now());
    (silent ? down : up).push_back(std::move(name));
  }
  const wire::Gossip view{membership_.snapshot()};
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
    return ring().find(peer) || view().next().find(peer);
  };
  for (const std::string& peer : peers_.renew_silent(now(), member)) {
    send(peer, wire::Gossip{membership_.snapshot()});
  }
}

// The peer table decides who is down (peer_table.hpp); this node says so in its log.
template <Storage S, Transport T>
void NodeCore<S, T>::detect_failures() {
  for (const PeerTable::Down& down : peers_.detect_failures(now())) {
    const std::string silence = std::to_string(down.silence.count());
    if (!down.phi) {
      log(LogLevel::warning, "peer_down",
          down.peer + " is down: never heard from in " + silence + " ms",
          {{"peer", down.peer}, {"silence_ms", silence}});
      continue;
    }
    char phi[32];
    std::snprintf(phi, sizeof phi, "%.1f", *down.phi);
    log(LogLevel::warning, "peer_down",
        down.peer + " is down: no heartbeat for " + silence + " ms (phi " + phi + ")",
        {{"peer", down.peer}, {"silence_ms", silence}, {"phi", phi}});
  }
}

template <Storage S, Transport T>
bool NodeCore<S, T>::ready() const {
  if (stopped_ || !view().known() || !ring().find(config_.name)) return false;
  std::size_t reachable = 0;
  for (const ring::Member& m : ring().members()) {
    if (is_self(m.name) || (peers_.verified(m.name) && usable(m.name))) ++reachable;
  }
  return reachable >= std::min<std::size_t>(config_.w, ring().size());
}

template <Storage S, Transport T>
bool NodeCore<S, T>::usable(const std::string& node) const {
  return peers_.usable(node, now());
}

}  // namespace dynamo
