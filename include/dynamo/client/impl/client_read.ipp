#pragma once
// Reads the client coordinates itself (ReadCoordination::client, the paper's section 6.4): the
// quorum read a coordinating node runs (quorum::ReadCoordinator), run by the client, so a read
// is one round trip to R replicas instead of a hop to a coordinator that then asks all N. The
// client asks R replicas first and the rest at the hedge (ClientConfig::read_hedge_delay).

#include <algorithm>

namespace dynamo {

// The first N of the key's preference list that the client does not suspect, home replicas
// counted as primaries, the rest standing in for suspected ones (the sloppy quorum; a fallback
// answers with the hints it keeps). A strict read takes the home replicas only. Suspected nodes
// fill the list when too few others are left: the client's suspicion comes from timeouts alone
// and may be out of date. The rest of the list stands in for silent targets at the hedge.
template <Transport T>
quorum::ReadPlan ClientCore<T>::read_plan(std::string_view key, bool strict) const {
  const auto preference = ring_->preference_list_for_key(key);
  const std::size_t n = std::min<std::size_t>(ring_->replicas(), preference.size());
  quorum::ReadPlan plan;
  plan.epoch = ring_document_.epoch;
  std::vector<quorum::ReadTarget> suspected;
  for (std::size_t i = 0; i < preference.size() && plan.targets.size() < n; ++i) {
    const bool primary = i < n;
    if (strict && !primary) break;
    quorum::ReadTarget target{ring_->member(preference[i]).name, primary};
    if (health_.is_suspected(target.node, transport_.now())) {
      if (primary) suspected.push_back(std::move(target));
    } else {
      plan.targets.push_back(std::move(target));
    }
  }
  for (quorum::ReadTarget& target : suspected) {
    if (plan.targets.size() >= n) break;
    plan.targets.push_back(std::move(target));
  }
  for (const ring::NodeIndex i : preference) {
    const std::string& node = ring_->member(i).name;
    if (std::ranges::find(plan.targets, node, &quorum::ReadTarget::node) == plan.targets.end()) {
      plan.stand_ins.push_back(node);
    }
  }
  return plan;
}

template <Transport T>
void ClientCore<T>::coordinate_read(Key key, ReadOptions options, GetCallback done) {
  const std::uint32_t required = options.r != 0 ? options.r : read_quorum_;
  if (const std::error_code ec =
          wire::check_limits(wire::ReplicaRead{0, key, ring_document_.epoch}, config_.limits)) {
    return done(ec, {}, {0, required, options.strict});
  }
  probe_silent_suspects();
  quorum::ReadPlan plan = read_plan(key, options.strict);
  reads_.start(std::move(key), std::move(plan), ring_->replicas(), required, options.strict,
               std::move(done));
}

// A replica that holds another ring than ours may no longer keep the key, or not yet: the client
// asks for the ring and lets a node, which plans with its own, coordinate the read (unless it was
// answered already; then only the repair is skipped).
template <Transport T>
void ClientCore<T>::on_replica_read_reply(const std::string& from, wire::ReplicaReadReply reply) {
  if (reply.status.ok()) {
    if (!reads_.on_reply(reply.request_id, from, std::move(reply.siblings))) unmatched();
    return;
  }
  if (!reads_.awaits(reply.request_id, from)) return unmatched();
  auto read = reads_.abandon(reply.request_id);
  refresh_ring();
  if (!read->done) return;
  const std::string routing = read->key;
  submit(wire::ClientGet{0, std::move(read->key), static_cast<std::uint8_t>(read->required),
                         read->strict},
         true, routing, std::move(read->done), nullptr);
}

}  // namespace dynamo
