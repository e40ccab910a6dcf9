#pragma once
// A client's gets (node-coordinated), puts and removes: each request walks its candidates (the
// key's home replicas in preference order, then the rest; suspected nodes last), passing one
// over when it is silent for attempt_timeout or reported unreachable, starting a new round
// when one refused as unavailable, until a node answers or request_timeout ends it.

namespace dynamo {

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
  probe_silent_suspects();
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
  health_.timed_out(request.candidates[request.attempt], transport_.now(), attempt_timeout());
  ++request.passed_over;
  metrics_.passed_over.add();
  refresh_ring();  // the node may have left, or the ring moved the key
  ++request.attempt;
  attempt(id);
}

template <Transport T>
void ClientCore<T>::on_unreachable(std::string_view node) {
  health_.unreachable(node, transport_.now());
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
    health_.timed_out(request.candidates[request.attempt], transport_.now(), attempt_timeout());
  }
  refresh_ring();
  // Nodes that answered said there were too few replicas: that, not silence, is the answer.
  if (const auto refusal = request.refusal) {
    return complete(id, make_error_code(errc::unavailable), {}, *refusal);
  }
  complete(id, make_error_code(errc::timeout), {}, {});
}

template <Transport T>
void ClientCore<T>::complete(std::uint64_t id, std::error_code ec, Siblings siblings,
                             const wire::Status& status) {
  const auto it = requests_.find(id);
  assert(it != requests_.end());
  Request request = std::move(it->second);
  requests_.erase(it);
  transport_.cancel(request.pass_over);
  transport_.cancel(request.deadline);
  std::erase(awaiting_ring_, id);
  const QuorumReport report{status.replied, status.required, false, request.passed_over};
  if (request.on_get) return request.on_get(ec, std::move(siblings), report);
  request.on_write(ec, std::move(siblings), report);
}

}  // namespace dynamo
