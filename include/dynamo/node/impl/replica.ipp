#pragma once
// Receiving: frame decoding, the handshake, client requests, and the replica's side of reads,
// writes and hints.

#include <cassert>

namespace dynamo {

// Nothing from a peer is served before its Hello shows it compatible. Frames that overtake the
// Hello (a network may reorder them) wait for it, up to a bound; a client request that waited
// longer than its client waits for an answer is dropped, not served late (a write its client has
// given up on must not land seconds after).
template <Storage S, Transport T>
void NodeCore<S, T>::on_frame(std::string_view from, std::string_view bytes) {
  if (stopped_) return;
  wire::Message message;
  if (const std::error_code ec = wire::decode_frame(bytes, config_.limits, message)) {
    metrics_.malformed_frames.add();
    log(LogLevel::warning, "frame_dropped",
        "dropped a frame from " + std::string(from) + ": " + ec.message(),
        {{"peer", std::string(from)}, {"reason", ec.message()}});
    return;
  }
  const std::string peer(from);
  const PeerTable::Heard heard = peers_.heard_from(peer, now());
  if (heard.answers_again) {
    log(LogLevel::info, "peer_answers", peer + " answers again", {{"peer", peer}});
  }
  if (heard.up_again) {
    log(LogLevel::info, "peer_up", peer + " is up again: it sent a message", {{"peer", peer}});
  }
  if (const auto* hello = std::get_if<wire::Hello>(&message)) return handle_hello(peer, *hello);
  if (peers_.refused(peer)) return;
  if (!peers_.verified(peer)) {
    auto& waiting = awaiting_hello_[peer];
    if (waiting.size() < max_awaiting_hello) waiting.emplace_back(now(), std::move(message));
    if (peers_.hello_due(peer, now(), config_.request_timeout / 4)) send_hello(peer);
    return;
  }
  handle(peer, std::move(message));
}

template <Storage S, Transport T>
void NodeCore<S, T>::send_hello(const std::string& peer) {
  peers_.hello_sent(peer, now());
  transport_.send(peer, wire::encode_frame(wire::Hello{
                            wire::protocol_version, config_.cluster, config_.name,
                            ring().params(), resolver_name_, actor_.value,
                            !peers_.verified(peer) && !peers_.refused(peer)}));
}

// Peers that would place keys elsewhere or merge them differently are refused: their messages
// are dropped and they are never chosen as replicas.
template <Storage S, Transport T>
void NodeCore<S, T>::handle_hello(const std::string& from, const wire::Hello& theirs) {
  std::string why;
  if (theirs.protocol_version != wire::protocol_version) why = "protocol version differs";
  if (theirs.cluster != config_.cluster) why = "cluster " + theirs.cluster;
  if (ring::check_compatible(ring().params(), theirs.ring)) why = "ring parameters differ";
  if (theirs.resolver_name != resolver_name_) why = "resolver " + theirs.resolver_name;
  auto waiting = std::move(awaiting_hello_[from]);
  awaiting_hello_.erase(from);
  if (peers_.hello_received(from, why.empty())) {
    log(LogLevel::warning, "peer_refused", "refusing " + from + ": " + why,
        {{"peer", from}, {"reason", why}});
  }
  if (theirs.reply_requested) send_hello(from);
  if (!why.empty()) return;
  for (auto& [arrived, m] : waiting) {
    const bool client_request = std::holds_alternative<wire::ClientGet>(m) ||
                                std::holds_alternative<wire::ClientPut>(m) ||
                                std::holds_alternative<wire::ClientRemove>(m);
    if (!client_request || now() - arrived < config_.forward_timeout) handle(from, std::move(m));
  }
}

template <Storage S, Transport T>
void NodeCore<S, T>::handle(const std::string& from, wire::Message message) {
  std::visit(
      [&](auto& m) {
        using M = std::decay_t<decltype(m)>;
        const auto ok = wire::Status{};
        if constexpr (std::is_same_v<M, wire::ClientGet> || std::is_same_v<M, wire::ClientPut> ||
                      std::is_same_v<M, wire::ClientRemove>) {
          if (!recent_requests_.first_delivery(from, m.request_id, now())) return;
        }
        if constexpr (std::is_same_v<M, wire::ClientGet>) {
          handle_client_get(from, std::move(m));
        } else if constexpr (std::is_same_v<M, wire::ClientPut>) {
          handle_client_write(from, m.request_id, std::move(m.key), m.context,
                              std::move(m.value), m.w, m.strict);
        } else if constexpr (std::is_same_v<M, wire::ClientRemove>) {
          handle_client_write(from, m.request_id, std::move(m.key), m.context, std::nullopt,
                              m.w, m.strict);
        } else if constexpr (std::is_same_v<M, wire::ClientGetReply> ||
                             std::is_same_v<M, wire::ClientWriteReply> ||
                             std::is_same_v<M, wire::MembershipChangeReply>) {
          if (!forwards_.on_reply(from, m)) unmatched();
        } else if constexpr (std::is_same_v<M, wire::ReplicaRead>) {
          if (m.epoch != 0 && m.epoch != view().epoch()) {
            const wire::Status moved{static_cast<std::uint32_t>(errc::ring_changing), 0, 0};
            return send(from, wire::ReplicaReadReply{m.request_id, moved, {}});
          }
          send(from, wire::ReplicaReadReply{m.request_id, ok, local_read(m.key)});
        } else if constexpr (std::is_same_v<M, wire::ReplicaReadReply>) {
          if (m.status.ok() && !reads_.on_reply(m.request_id, from, std::move(m.siblings))) {
            unmatched();
          }
        } else if constexpr (std::is_same_v<M, wire::ReplicaWrite>) {
          store_.merge(ring::hash_key(ring().params().hash, m.key), m.key, m.siblings);
          acknowledge_when_durable(from, m.request_id);
        } else if constexpr (std::is_same_v<M, wire::HintedWrite>) {
          if (is_self(m.intended_owner)) {
            store_.merge(ring::hash_key(ring().params().hash, m.key), m.key, m.siblings);
          } else {
            merge_into_hint(m.intended_owner, m.key, m.siblings);
          }
          acknowledge_when_durable(from, m.request_id);
        } else if constexpr (std::is_same_v<M, wire::ReplicaWriteAck>) {
          // Routed by the kind its id names: a write, a hint delivery or a relocation; the
          // acknowledgement of a read repair (untracked) matches nothing.
          switch (RequestIds::kind_of(m.request_id).value_or(RequestKind::untracked)) {
            case RequestKind::hint_delivery:
              if (!handoff_.on_ack(m.request_id, from, m.status)) unmatched();
              return;
            case RequestKind::relocation:
              return transfer_.on_relocation_ack(m.request_id, from, m.status);
            case RequestKind::write:
              if (m.status.ok() && !writes_.on_ack(m.request_id, from)) unmatched();
              return;
            default:
              return unmatched();
          }
        } else if constexpr (std::is_same_v<M, wire::RingRequest>) {
          membership_.on_ring_request(from, m.request_id, config_.r);
        } else if constexpr (std::is_same_v<M, wire::RingReply>) {
          membership_.on_ring_document(from, std::move(m));
        } else if constexpr (std::is_same_v<M, wire::MembershipChange>) {
          membership_.on_change_request(from, m);
        } else if constexpr (std::is_same_v<M, wire::PartitionFetch>) {
          transfer_.on_partition_fetch(from, m);
        } else if constexpr (std::is_same_v<M, wire::PartitionChunk>) {
          transfer_.on_partition_chunk(from, std::move(m));
        } else if constexpr (std::is_same_v<M, wire::TombstoneCheck>) {
          tombstones_.on_check(from, m);
        } else if constexpr (std::is_same_v<M, wire::TombstoneCheckReply>) {
          tombstones_.on_check_reply(m.request_id, from, m);
        } else if constexpr (std::is_same_v<M, wire::Purge>) {
          tombstones_.on_purge(m);
        } else if constexpr (std::is_same_v<M, wire::StatusRequest>) {
          wire::StatusReply reply = status(m.request_id);
          if (m.with_metrics) {
            refresh_metrics();
            reply.metrics = metrics::to_prometheus(metrics());
            if (reply.metrics.size() > config_.limits.max_value) reply.metrics.clear();
          }
          send(from, reply);
        } else if constexpr (std::is_same_v<M, wire::Gossip>) {
          membership_.on_gossip(from, m.members, false);
        } else if constexpr (std::is_same_v<M, wire::GossipReply>) {
          membership_.on_gossip(from, m.members, true);
        } else if constexpr (std::is_same_v<M, wire::TreeCompare>) {
          anti_entropy_.on_tree_compare(from, m);
        } else if constexpr (std::is_same_v<M, wire::TreeCompareReply>) {
          anti_entropy_.on_tree_compare_reply(from, m);
        } else if constexpr (std::is_same_v<M, wire::LeafSync>) {
          anti_entropy_.on_leaf_sync(from, m);
        } else if constexpr (std::is_same_v<M, wire::LeafSyncReply>) {
          anti_entropy_.on_leaf_sync_reply(from, m);
        } else if constexpr (std::is_same_v<M, wire::Error>) {
          log(LogLevel::warning, "peer_error", "error from " + from + ": " + m.message,
              {{"peer", from}, {"reason", m.message}});
        }
      },
      message);
}

// What an operator sees with dynamo-cli status. The digest folds every key and sibling set in
// ring order, so replicas holding the same data report the same digest.
template <Storage S, Transport T>
wire::StatusReply NodeCore<S, T>::status(std::uint64_t request_id) const {
  wire::StatusReply reply;
  reply.request_id = request_id;
  reply.node = config_.name;
  reply.keys = storage().size();
  reply.hints = storage().hint_count();
  storage().for_each_in_range({{0, 0}, {~0ULL, ~0ULL}},
                             [&](ring::Position pos, std::string_view key, const Siblings& s) {
                               const std::string entry = std::string(key) + '\0' +
                                                         wire::encode_siblings(s);
                               const ring::Position h = ring::hash_key(ring::HashKind::xxh3_128,
                                                                       entry);
                               reply.digest = (reply.digest ^ h.hi) * 0x100000001b3ULL + h.lo;
                               if (misplaced(ring().partition_of(pos))) ++reply.misplaced;
                             });
  for (const std::string& name : view().names()) {
    if (is_self(name)) continue;
    reply.peers.push_back({name, std::string(metrics::to_string(peer_state(name)))});
  }
  reply.ring_epoch = view().epoch();
  reply.member_state = std::string(membership::to_string(view().status_of(config_.name)));
  reply.fetches_left = static_cast<std::uint32_t>(fetches_left());
  reply.writes_in_flight = static_cast<std::uint32_t>(writes_in_flight());
  return reply;
}

template <Storage S, Transport T>
void NodeCore<S, T>::handle_client_get(const std::string& from, wire::ClientGet request) {
  const std::uint64_t id = request.request_id;
  route_get(std::move(request.key), ReadOptions{request.r, request.strict},
            [this, from, id](std::error_code ec, Siblings siblings, QuorumReport report) {
              send(from, wire::ClientGetReply{
                             id, wire::to_status(ec, report.replied, report.required),
                             std::move(siblings)});
            });
}

template <Storage S, Transport T>
void NodeCore<S, T>::handle_client_write(const std::string& from, std::uint64_t id, Key key,
                                         std::string_view context_bytes,
                                         std::optional<Value> value, std::uint8_t w, bool strict) {
  const auto reply = [this, from, id](std::error_code ec, Siblings written,
                                      QuorumReport report) {
    send(from, wire::ClientWriteReply{id, wire::to_status(ec, report.replied, report.required),
                                      std::move(written)});
  };
  std::error_code ec;
  Context context = Context::decode(context_bytes, ec);
  if (!ec) ec = context.check_key(key);
  if (ec) return reply(ec, {}, {});
  route_write(std::move(key), context.clock(), std::move(value), WriteOptions{w, strict}, reply);
}

// What this node holds for the key: its own copy merged with any hints it keeps for the key's
// home replicas, so a fallback answers reads with what it stands in for.
template <Storage S, Transport T>
Siblings NodeCore<S, T>::local_read(std::string_view key) const {
  Siblings result = store_.get(ring::hash_key(ring().params().hash, key), key).value_or(Siblings{});
  if (storage().hint_count() == 0) return result;
  for (ring::NodeIndex i : ring().primaries_for_key(key)) {
    const std::string& owner = ring().member(i).name;
    if (is_self(owner)) continue;
    if (auto hint = store_.get_hint(owner, key)) result.merge(*hint);
  }
  return result;
}

template <Storage S, Transport T>
void NodeCore<S, T>::merge_local(const ReplicaTarget& target, ring::Position pos, std::string_view key,
                                 const Siblings& incoming) {
  assert(target.primary || target.pending || !target.hint_owner.empty());  // a fallback's owner
  if (target.primary || target.pending) {
    store_.merge(pos, key, incoming);
  } else {
    merge_into_hint(target.hint_owner, key, incoming);
  }
}

template <Storage S, Transport T>
void NodeCore<S, T>::merge_into_hint(const std::string& owner, std::string_view key,
                                     const Siblings& incoming) {
  assert(mutually_concurrent(incoming.versions()));
  metrics_.hints_stored.add();
  store_.merge_hint(owner, key, incoming);
}

template <Storage S, Transport T>
void NodeCore<S, T>::acknowledge_when_durable(const std::string& to, std::uint64_t request_id) {
  when_durable([this, to, request_id] {
    send(to, wire::ReplicaWriteAck{request_id, wire::Status{}});
  });
}

template <Storage S, Transport T>
void NodeCore<S, T>::send(const std::string& to, const wire::Message& message) {
  if (!peers_.hello_ever_sent(to)) send_hello(to);
  transport_.send(to, wire::encode_frame(message));
}

}  // namespace dynamo
