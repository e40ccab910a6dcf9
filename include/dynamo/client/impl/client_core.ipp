#pragma once
// ClientCore's life and plumbing: construction, the ring (fetched from the seeds, refreshed from
// several members at a time), membership changes, status queries, and the dispatch of every
// frame that arrives. Requests are in client_requests.ipp, client-coordinated reads in
// client_read.ipp.

#include <algorithm>
#include <cassert>
#include <utility>

namespace dynamo {

// A client's name on the wire: its configured name, '#', and its incarnation in hex. Nodes name
// an accepted connection by the Hello it starts with and send replies by that name, so two
// clients given one name (two copies of a service) must not say the same Hello. Node names
// cannot contain '#' (validate(Config)), so no client can be taken for a node either.
inline std::string wire_identity(const std::string& name, std::uint64_t incarnation) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string identity = name + '#';
  for (int shift = 60; shift >= 0; shift -= 4) identity.push_back(digits[(incarnation >> shift) & 0xf]);
  return identity;
}

template <Transport T>
ClientCore<T>::ClientCore(ClientConfig config, std::string resolver_name, T transport)
    : config_((validate(config), std::move(config))),
      resolver_name_(std::move(resolver_name)),
      transport_(std::move(transport)),
      health_(config_.suspect_period, config_.request_timeout),
      reads_(read_hooks_, quorum::ReadPacing{config_.request_timeout, config_.read_hedge_delay,
                                             /*ask_all_first=*/false}),
      incarnation_(transport_.random()),
      identity_(wire_identity(config_.name, incarnation_)),
      last_id_(wire::first_request_id(transport_.random())) {
  transport_.on_receive([this](std::string_view from, std::string_view frame) {
    on_frame(from, frame);
  });
  if constexpr (ReportsUnreachable<T>) {
    transport_.on_unreachable([this](std::string_view node) { on_unreachable(node); });
  }
  ask_for_ring();
  ring_wait_timer_ = transport_.schedule(attempt_timeout(), [this] { end_ring_wait(); });
}

template <Transport T>
ClientCore<T>::~ClientCore() {
  stop();
}

// Fails everything pending with errc::shutdown, cancels every timer and stops the transport if
// it can be stopped; later requests fail with errc::shutdown and arriving frames are dropped.
template <Transport T>
void ClientCore<T>::stop() {
  if (stopped_) return;
  stopped_ = true;
  transport_.cancel(ring_timer_);
  transport_.cancel(ring_wait_timer_);
  const auto shutdown = make_error_code(errc::shutdown);
  for (auto& [id, change] : std::exchange(changes_, {})) {
    transport_.cancel(change.timer);
    change.done(shutdown, {});
  }
  for (auto& [id, query] : std::exchange(status_queries_, {})) {
    transport_.cancel(query.timer);
    query.done(shutdown, {});
  }
  reads_.fail_all(shutdown);
  awaiting_ring_.clear();
  for (auto& [id, request] : std::exchange(requests_, {})) {
    transport_.cancel(request.pass_over);
    transport_.cancel(request.deadline);
    if (request.on_get) request.on_get(shutdown, {}, {});
    if (request.on_write) request.on_write(shutdown, {}, {});
  }
  if constexpr (requires { transport_.stop(); }) transport_.stop();
}

// Asks every seed for the ring, every attempt_timeout, until one answers (so a seed that is
// down, paused or cut off costs nothing), then one member at a time every
// ring_refresh_interval, to follow joins and leaves.
template <Transport T>
void ClientCore<T>::ask_for_ring() {
  if (ring_) {
    refresh_ring();
  } else {
    for (const std::string& seed : config_.seeds) send(seed, wire::RingRequest{++last_id_});
  }
  ring_timer_ = transport_.schedule(ring_ ? config_.ring_refresh_interval : attempt_timeout(),
                                    [this] { ask_for_ring(); });
  refresh_metrics();
}

template <Transport T>
void ClientCore<T>::refresh_metrics() {
  metrics::ClientGauges g;
  g.ring_epoch = ring_ ? ring_document_.epoch : 0;
  g.nodes = ring_ ? ring_document_.members.size() : 0;
  g.suspected = health_.suspected(transport_.now());
  g.at = transport_.now();
  metrics_.gauges.set(std::move(g));
}

// The first ring arrived, or attempt_timeout passed without one: requests waiting for it are
// routed (by the ring, or else to the seeds in turn).
template <Transport T>
void ClientCore<T>::end_ring_wait() {
  if (ring_wait_over_) return;
  ring_wait_over_ = true;
  transport_.cancel(ring_wait_timer_);
  for (const std::uint64_t id : std::exchange(awaiting_ring_, {})) {
    if (requests_.contains(id)) route(id);
  }
}

// At most one round of ring requests per quarter of a request timeout, however many requests
// time out or meet a replica with a newer ring meanwhile. A round asks ring_refresh_fanout
// sources, those not suspected first, rotating through the rest from round to round: a client
// cut off from most members (or whose seeds are down) still reaches one that answers.
template <Transport T>
void ClientCore<T>::refresh_ring() {
  const std::chrono::milliseconds now = transport_.now();
  if (last_ring_request_ && now - *last_ring_request_ < config_.request_timeout / 4) return;
  last_ring_request_ = now;
  std::vector<std::string> sources = ring_sources();
  std::rotate(sources.begin(), sources.begin() + static_cast<std::ptrdiff_t>(next_seed_ % sources.size()),
              sources.end());
  std::stable_partition(sources.begin(), sources.end(), [&](const std::string& node) {
    return !health_.is_suspected(node, now);
  });
  const std::size_t asked = std::min(ring_refresh_fanout, sources.size());
  for (std::size_t i = 0; i < asked; ++i) send(sources[i], wire::RingRequest{++last_id_});
  next_seed_ += asked;
}

// The ring's members once it is known (they see changes first), and the members of the layout
// a change is moving to (a joining node may be the only one a partitioned client can reach);
// the seeds until then. Sorted by name, without repeats.
template <Transport T>
std::vector<std::string> ClientCore<T>::ring_sources() const {
  std::vector<std::string> sources = members_or_seeds();
  if (ring_) {
    for (const ring::Member& m : ring_document_.next) sources.push_back(m.name);
  }
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  return sources;
}

// The ring's members in the ring's order (by name) once it is known, the seeds until then.
template <Transport T>
std::vector<std::string> ClientCore<T>::members_or_seeds() const {
  std::vector<std::string> nodes;
  if (ring_) {
    for (const ring::Member& m : ring_->members()) nodes.push_back(m.name);
  }
  if (nodes.empty()) nodes = config_.seeds;
  return nodes;
}

// A suspected node stays suspected while it is silent (PeerHealth): suspicions that have run
// out are renewed and the node asked for the ring, so one that is back answers and is cleared,
// and a dead one is not tried first again meanwhile. Runs before routing, at most a round per
// suspect_period per node.
template <Transport T>
void ClientCore<T>::probe_silent_suspects() {
  const std::vector<std::string> sources = ring_sources();
  const auto known = [&](const std::string& node) {
    return std::binary_search(sources.begin(), sources.end(), node);
  };
  for (const std::string& node : health_.renew_silent(transport_.now(), std::chrono::milliseconds{0}, known)) {
    send(node, wire::RingRequest{++last_id_});
  }
}

// A newer ring replaces the one in use; transports that dial by address learn the addresses of
// members that joined.
template <Transport T>
void ClientCore<T>::take_ring(wire::RingReply reply) {
  if (reply.read_quorum != 0) read_quorum_ = reply.read_quorum;
  if (reply.epoch == 0 || (ring_ && reply.epoch <= ring_document_.epoch)) return;
  std::error_code ec;
  auto ring = ring::Ring::build(reply.ring, reply.replicas, reply.members, ec);
  if (!ring) return;
  if (!ring_) {  // the first ring: from now on, refresh at the refresh interval
    transport_.cancel(ring_timer_);
    ring_timer_ = transport_.schedule(config_.ring_refresh_interval, [this] { ask_for_ring(); });
  }
  ring_ = std::move(ring);
  if constexpr (PeerDirectory<T>) {
    for (const wire::MemberAddress& a : reply.addresses) transport_.add_peer(a.name, a.address);
  }
  ring_document_ = std::move(reply);
  metrics_.ring_updates.add();
  refresh_metrics();
  end_ring_wait();
}

template <Transport T>
void ClientCore<T>::change_membership(membership::ChangeRequest request, ChangeCallback done) {
  if (stopped_) return done(make_error_code(errc::shutdown), {});
  const std::uint64_t id = ++last_id_;
  ChangeOp& op = changes_[id];
  op.message = wire::MembershipChange{id, request.kind, std::move(request.name),
                                      std::move(request.address), std::move(request.zone),
                                      request.weight};
  op.candidates = members_or_seeds();  // sorted by name: the claimant, the lowest-named, first
  op.done = std::move(done);
  attempt_change(id);
}

template <Transport T>
void ClientCore<T>::attempt_change(std::uint64_t id) {
  ChangeOp& op = changes_.at(id);
  assert(op.attempt < op.candidates.size());
  op.timer = transport_.schedule(config_.request_timeout, [this, id] { pass_over_change(id); });
  send(op.candidates[op.attempt], op.message);
}

// The node asked did not answer in time, or cannot be reached: ask the next, if any is left.
template <Transport T>
void ClientCore<T>::pass_over_change(std::uint64_t id) {
  const auto it = changes_.find(id);
  if (it == changes_.end()) return;
  transport_.cancel(it->second.timer);
  health_.timed_out(it->second.candidates[it->second.attempt], transport_.now(),
                    config_.request_timeout);
  if (++it->second.attempt < it->second.candidates.size()) return attempt_change(id);
  auto finish = std::move(it->second.done);
  changes_.erase(it);
  finish(make_error_code(errc::timeout), {0, "no node answered"});
}

template <Transport T>
void ClientCore<T>::get(Key key, ReadOptions options, GetCallback done) {
  done = detail::measured(transport_, metrics_.requests, metrics::OperationKind::get, std::move(done));
  if (stopped_) return done(make_error_code(errc::shutdown), {}, {});
  if (config_.read_coordination == ReadCoordination::client && ring_ &&
      (options.r != 0 || read_quorum_ != 0)) {
    return coordinate_read(std::move(key), options, std::move(done));
  }
  const std::string routing = key;
  submit(wire::ClientGet{0, std::move(key), static_cast<std::uint8_t>(options.r), options.strict},
         true, routing, std::move(done), nullptr);
}

template <Transport T>
void ClientCore<T>::put(Key key, const Context& context, Value value, WriteOptions options,
                        WriteCallback done) {
  done = detail::measured(transport_, metrics_.requests, metrics::OperationKind::put, std::move(done));
  if (stopped_) return done(make_error_code(errc::shutdown), {}, {});
  if (const auto ec = context.check_key(key)) return done(ec, {}, {});
  const std::string routing = key;
  submit(wire::ClientPut{0, std::move(key), context.encode(), std::move(value),
                         static_cast<std::uint8_t>(options.w), options.strict},
         false, routing, nullptr, std::move(done));
}

template <Transport T>
void ClientCore<T>::remove(Key key, const Context& context, WriteOptions options,
                           WriteCallback done) {
  done = detail::measured(transport_, metrics_.requests, metrics::OperationKind::remove,
                          std::move(done));
  if (stopped_) return done(make_error_code(errc::shutdown), {}, {});
  if (const auto ec = context.check_key(key)) return done(ec, {}, {});
  const std::string routing = key;
  submit(wire::ClientRemove{0, std::move(key), context.encode(),
                            static_cast<std::uint8_t>(options.w), options.strict},
         false, routing, nullptr, std::move(done));
}

template <Transport T>
void ClientCore<T>::status(const std::string& node, bool with_metrics, StatusCallback done) {
  if (stopped_) return done(make_error_code(errc::shutdown), {});
  const std::uint64_t id = ++last_id_;
  StatusQuery& query = status_queries_[id];
  query.node = node;
  query.done = std::move(done);
  query.timer = transport_.schedule(config_.request_timeout, [this, id] {
    const auto it = status_queries_.find(id);
    if (it == status_queries_.end()) return;
    auto finish = std::move(it->second.done);
    status_queries_.erase(it);
    finish(make_error_code(errc::timeout), {});
  });
  send(node, wire::StatusRequest{id, with_metrics});
}

template <Transport T>
void ClientCore<T>::on_frame(std::string_view from, std::string_view bytes) {
  if (stopped_) return;
  wire::Message message;
  if (wire::decode_frame(bytes, config_.limits, message)) return;
  const std::string peer(from);
  health_.heard_from(peer, transport_.now());
  if (const auto* hello = std::get_if<wire::Hello>(&message)) {
    if (hello->reply_requested) send_hello(peer);
    return;
  }
  if (auto* reply = std::get_if<wire::RingReply>(&message)) return take_ring(std::move(*reply));
  if (auto* reply = std::get_if<wire::ReplicaReadReply>(&message)) {
    return on_replica_read_reply(peer, std::move(*reply));
  }
  if (auto* reply = std::get_if<wire::MembershipChangeReply>(&message)) {
    const auto it = changes_.find(reply->request_id);
    if (it == changes_.end() || it->second.candidates[it->second.attempt] != peer) {
      return unmatched();
    }
    transport_.cancel(it->second.timer);
    const std::error_code ec = wire::to_error_code(reply->status);
    // The claimant's previous change is still spreading: ask the same node again shortly.
    if (ec == errc::ring_changing && ++it->second.retries <= max_change_retries) {
      const std::uint64_t id = reply->request_id;
      it->second.timer = transport_.schedule(change_retry_delay, [this, id] {
        if (changes_.contains(id)) attempt_change(id);
      });
      return;
    }
    auto finish = std::move(it->second.done);
    changes_.erase(it);
    return finish(ec, {reply->epoch, std::move(reply->detail)});
  }
  if (auto* reply = std::get_if<wire::StatusReply>(&message)) {
    const auto it = status_queries_.find(reply->request_id);
    if (it == status_queries_.end() || it->second.node != peer) return unmatched();
    auto finish = std::move(it->second.done);
    transport_.cancel(it->second.timer);
    status_queries_.erase(it);
    return finish({}, std::move(*reply));
  }
  std::uint64_t id = 0;
  const wire::Status* status = nullptr;
  if (const auto* got = std::get_if<wire::ClientGetReply>(&message)) {
    id = got->request_id;
    status = &got->status;
  } else if (const auto* wrote = std::get_if<wire::ClientWriteReply>(&message)) {
    id = wrote->request_id;
    status = &wrote->status;
  } else {
    return;
  }
  // The reply must come from a node asked, and answer the kind of request made: a write's
  // reply never completes a read, nor the other way round.
  const auto it = requests_.find(id);
  if (it == requests_.end() || !it->second.asked(peer) ||
      wire::reply_type_of(wire::message_type(it->second.message)) != wire::message_type(message)) {
    return unmatched();
  }
  const std::error_code ec = wire::to_error_code(*status);
  // A coordinator that sees too few replicas wrote nothing, and another may see more (it may
  // itself have just come back from a partition): ask the next candidate, if one is left.
  Request& request = it->second;
  if (ec == errc::unavailable && request.attempt + 1 < request.candidates.size() &&
      request.candidates[request.attempt] == peer) {
    transport_.cancel(request.pass_over);
    trace(id, request, "was refused as unavailable by", peer);
    request.refused = true;
    request.refusal = *status;
    ++request.attempt;
    return attempt(id);
  }
  if (auto* got = std::get_if<wire::ClientGetReply>(&message)) {
    complete(id, ec, std::move(got->siblings), *status);
  } else {
    complete(id, ec, std::move(std::get<wire::ClientWriteReply>(message).siblings), *status);
  }
}

template <Transport T>
void ClientCore<T>::send_hello(const std::string& to) {
  hello_sent_.insert(to);
  transport_.send(to, wire::encode_frame(wire::Hello{wire::protocol_version, config_.cluster,
                                                     identity_, config_.ring,
                                                     resolver_name_, incarnation_, false}));
}

template <Transport T>
void ClientCore<T>::send(const std::string& to, const wire::Message& message) {
  if (!hello_sent_.contains(to)) send_hello(to);
  transport_.send(to, wire::encode_frame(message));
}

}  // namespace dynamo
