#pragma once

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
    : config_(std::move(config)),
      resolver_name_(std::move(resolver_name)),
      transport_(std::move(transport)),
      health_(config_.suspect_period),
      incarnation_(transport_.random()),
      identity_(wire_identity(config_.name, incarnation_)),
      last_id_(wire::first_request_id(transport_.random())) {
  validate(config_);
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
  transport_.cancel(ring_timer_);
  transport_.cancel(ring_wait_timer_);
  for (auto& [id, change] : changes_) {
    transport_.cancel(change.timer);
    change.done(make_error_code(errc::shutdown), {});
  }
  for (auto& [id, query] : status_queries_) {
    transport_.cancel(query.timer);
    query.done(make_error_code(errc::shutdown), {});
  }
  for (auto& [id, read] : reads_) {
    transport_.cancel(read.deadline);
    transport_.cancel(read.speculation);
    if (read.done) read.done(make_error_code(errc::shutdown), {}, {});
  }
  for (auto& [id, request] : requests_) {
    transport_.cancel(request.pass_over);
    transport_.cancel(request.deadline);
    const auto ec = make_error_code(errc::shutdown);
    if (request.on_get) request.on_get(ec, {}, {});
    if (request.on_write) request.on_write(ec, {}, {});
  }
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

// At most one request for the ring per quarter of a request timeout, however many requests
// time out or meet a replica with a newer ring meanwhile.
template <Transport T>
void ClientCore<T>::refresh_ring() {
  const std::chrono::milliseconds now = transport_.now();
  if (last_ring_request_ && now - *last_ring_request_ < config_.request_timeout / 4) return;
  last_ring_request_ = now;
  const std::vector<std::string> sources = ring_sources();
  send(sources[next_seed_++ % sources.size()], wire::RingRequest{++last_id_});
}

// The ring's members once it is known (they see changes first), the seeds until then.
template <Transport T>
std::vector<std::string> ClientCore<T>::ring_sources() const {
  std::vector<std::string> sources;
  if (ring_) {
    for (const ring::Member& m : ring_->members()) sources.push_back(m.name);
  }
  if (sources.empty()) sources = config_.seeds;
  return sources;
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
  end_ring_wait();
}

template <Transport T>
void ClientCore<T>::change_membership(membership::ChangeRequest request, ChangeCallback done) {
  const std::uint64_t id = ++last_id_;
  ChangeOp& op = changes_[id];
  op.message = wire::MembershipChange{id, request.kind, std::move(request.name),
                                      std::move(request.address), std::move(request.zone),
                                      request.weight};
  op.candidates = ring_sources();  // sorted by name: the claimant, the lowest-named, first
  op.done = std::move(done);
  attempt_change(id);
}

template <Transport T>
void ClientCore<T>::attempt_change(std::uint64_t id) {
  ChangeOp& op = changes_.at(id);
  op.timer = transport_.schedule(config_.request_timeout, [this, id] { pass_over_change(id); });
  send(op.candidates[op.attempt], op.message);
}

// The node asked did not answer in time, or cannot be reached: ask the next, if any is left.
template <Transport T>
void ClientCore<T>::pass_over_change(std::uint64_t id) {
  const auto it = changes_.find(id);
  if (it == changes_.end()) return;
  transport_.cancel(it->second.timer);
  health_.timed_out(it->second.candidates[it->second.attempt], transport_.now());
  if (++it->second.attempt < it->second.candidates.size()) return attempt_change(id);
  auto finish = std::move(it->second.done);
  changes_.erase(it);
  finish(make_error_code(errc::timeout), {0, "no node answered"});
}

// Home replicas first, in preference order, then the fallbacks; suspected nodes go last.
template <Transport T>
std::vector<std::string> ClientCore<T>::candidates_for(std::string_view key) const {
  std::vector<std::string> nodes;
  if (ring_) {
    for (ring::NodeIndex i : ring_->preference_list_for_key(key)) {
      nodes.push_back(ring_->member(i).name);
    }
  } else {
    nodes = config_.seeds;
  }
  std::stable_partition(nodes.begin(), nodes.end(), [&](const std::string& node) {
    return !health_.is_suspected(node, transport_.now());
  });
  return nodes;
}

template <Transport T>
void ClientCore<T>::get(Key key, ReadOptions options, GetCallback done) {
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
  if (const auto ec = context.check_key(key)) return done(ec, {}, {});
  const std::string routing = key;
  submit(wire::ClientPut{0, std::move(key), context.encode(), std::move(value),
                         static_cast<std::uint8_t>(options.w), options.strict},
         false, routing, nullptr, std::move(done));
}

template <Transport T>
void ClientCore<T>::remove(Key key, const Context& context, WriteOptions options,
                           WriteCallback done) {
  if (const auto ec = context.check_key(key)) return done(ec, {}, {});
  const std::string routing = key;
  submit(wire::ClientRemove{0, std::move(key), context.encode(),
                            static_cast<std::uint8_t>(options.w), options.strict},
         false, routing, nullptr, std::move(done));
}

template <Transport T>
void ClientCore<T>::status(const std::string& node, StatusCallback done) {
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
  send(node, wire::StatusRequest{id});
}

template <Transport T>
bool ClientCore<T>::Request::asked(std::string_view node) const {
  const std::size_t n = std::min(attempt + 1, candidates.size());
  return std::find(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n), node) !=
         candidates.begin() + static_cast<std::ptrdiff_t>(n);
}

template <Transport T>
void ClientCore<T>::submit(wire::Message message, bool is_read, std::string_view key,
                           GetCallback on_get, WriteCallback on_write) {
  const std::uint64_t id = ++last_id_;
  wire::set_request_id(message, id);
  if (const std::error_code ec = wire::check_limits(message, config_.limits)) {
    if (on_get) on_get(ec, {}, {});
    if (on_write) on_write(ec, {}, {});
    return;
  }
  Request& request = requests_[id];
  request.message = std::move(message);
  request.routing_key = Key(key);
  request.is_read = is_read;
  request.on_get = std::move(on_get);
  request.on_write = std::move(on_write);
  request.deadline_at = transport_.now() + config_.request_timeout;
  request.deadline = transport_.schedule(config_.request_timeout, [this, id] { expire(id); });
  if (ring_wait_over_) return route(id);
  awaiting_ring_.push_back(id);
}

template <Transport T>
void ClientCore<T>::route(std::uint64_t id) {
  Request& request = requests_.at(id);
  request.candidates = candidates_for(request.routing_key);
  attempt(id);
}

// Asks the current candidate. Once every candidate has been asked, the deadline decides; but if
// one of them answered unavailable (it saw too few replicas, perhaps just after a partition
// healed), a new round starts shortly, since its view may have mended meanwhile.
template <Transport T>
void ClientCore<T>::attempt(std::uint64_t id) {
  Request& request = requests_.at(id);
  if (request.attempt >= request.candidates.size()) {
    if (!request.refused) return;
    trace(id, request, "has asked every candidate; another round soon");
    request.refused = false;
    request.pass_over = transport_.schedule(retry_round_delay, [this, id] { new_round(id); });
    return;
  }
  request.pass_over = transport_.schedule(attempt_timeout(), [this, id] { pass_over(id); });
  trace(id, request, "asks", request.candidates[request.attempt]);
  send(request.candidates[request.attempt], request.message);
}

// Asks the candidates again, under a new request id: a node drops a request id it has served
// already (a duplicate, to it), so the same id would meet silence.
template <Transport T>
void ClientCore<T>::new_round(std::uint64_t id) {
  auto entry = requests_.extract(id);
  if (entry.empty()) return;
  const std::uint64_t fresh = ++last_id_;
  Request& request = entry.mapped();
  transport_.cancel(request.deadline);
  const auto left = std::max(request.deadline_at - transport_.now(), std::chrono::milliseconds{0});
  request.deadline = transport_.schedule(left, [this, fresh] { expire(fresh); });
  wire::set_request_id(request.message, fresh);
  request.attempt = 0;
  entry.key() = fresh;
  requests_.insert(std::move(entry));
  route(fresh);
}

// The candidate asked last did not answer in time, or cannot be reached: suspect it and ask
// the next. A write may be applied twice this way (see ClientConfig::attempt_timeout).
template <Transport T>
void ClientCore<T>::pass_over(std::uint64_t id) {
  const auto it = requests_.find(id);
  if (it == requests_.end()) return;
  Request& request = it->second;
  assert(request.attempt < request.candidates.size());
  transport_.cancel(request.pass_over);
  trace(id, request, "passes over", request.candidates[request.attempt]);
  health_.timed_out(request.candidates[request.attempt], transport_.now());
  refresh_ring();  // the node may have left, or the ring moved the key
  ++request.attempt;
  attempt(id);
}

template <Transport T>
void ClientCore<T>::on_unreachable(std::string_view node) {
  std::vector<std::uint64_t> waiting_on_node;
  for (const auto& [id, request] : requests_) {
    if (request.attempt < request.candidates.size() && request.candidates[request.attempt] == node) {
      waiting_on_node.push_back(id);
    }
  }
  for (const std::uint64_t id : waiting_on_node) pass_over(id);
  waiting_on_node.clear();
  for (const auto& [id, change] : changes_) {
    if (change.candidates[change.attempt] == node) waiting_on_node.push_back(id);
  }
  for (const std::uint64_t id : waiting_on_node) pass_over_change(id);
}

template <Transport T>
void ClientCore<T>::expire(std::uint64_t id) {
  const auto it = requests_.find(id);
  if (it == requests_.end()) return;
  const Request& request = it->second;
  if (request.attempt < request.candidates.size()) {
    health_.timed_out(request.candidates[request.attempt], transport_.now());
  }
  refresh_ring();
  complete(id, make_error_code(errc::timeout), {}, {});
}

template <Transport T>
void ClientCore<T>::complete(std::uint64_t id, std::error_code ec, Siblings siblings,
                             const wire::Status& status) {
  const auto it = requests_.find(id);
  Request request = std::move(it->second);
  requests_.erase(it);
  transport_.cancel(request.pass_over);
  transport_.cancel(request.deadline);
  std::erase(awaiting_ring_, id);
  const QuorumReport report{status.replied, status.required, false};
  if (request.on_get) return request.on_get(ec, std::move(siblings), report);
  request.on_write(ec, std::move(siblings), report);
}

template <Transport T>
void ClientCore<T>::on_frame(std::string_view from, std::string_view bytes) {
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
