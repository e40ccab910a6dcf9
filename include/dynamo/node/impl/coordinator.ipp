#pragma once
// The coordinator: quorum gets and puts over the first N reachable nodes of a key's preference
// list (the sloppy quorum), read repair, and forwarding of keys this node does not coordinate.

namespace dynamo {

// Walks the preference list: the first N nodes not suspected are the targets. Each fallback
// among them stands in for the next suspected home replica, whose hint it will keep.
template <Storage S, Transport T>
auto NodeCore<S, T>::plan_for(std::string_view key) const -> Plan {
  Plan plan;
  plan.pos = ring::hash_key(ring().params().hash, key);
  const auto preference = ring().preference_list(ring().partition_of(plan.pos));
  const std::size_t n = std::min<std::size_t>(config_.n, preference.size());
  std::vector<std::string> missing_primaries;
  for (std::size_t i = 0; i < preference.size() && plan.targets.size() < n; ++i) {
    const std::string& node = ring().member(preference[i]).name;
    const bool primary = i < n;
    const bool reachable = usable(node);
    if (!reachable || (!primary && missing_primaries.empty())) {
      if (primary) missing_primaries.push_back(node);
      continue;
    }
    Target target{node, primary, {}};
    if (!primary) {
      target.hint_owner = missing_primaries.front();
      missing_primaries.erase(missing_primaries.begin());
    }
    plan.reachable_primaries += primary ? 1 : 0;
    plan.targets.push_back(std::move(target));
  }
  plan.uncovered = std::move(missing_primaries);
  for (std::size_t i = n; i < preference.size(); ++i) {
    const std::string& node = ring().member(preference[i]).name;
    if (std::ranges::find(plan.targets, node, &Target::node) == plan.targets.end()) {
      plan.spares.push_back(node);
    }
  }
  return plan;
}

// Halfway to the deadline, each target that has not answered is suspected and, where a spare
// node of the preference list is reachable, replaced by it: the spare stands in for the silent
// target's owner, so a node that just failed costs a write half a timeout, not the whole call.
template <Storage S, Transport T>
auto NodeCore<S, T>::replace_silent(Plan& plan, const std::set<std::string>& answered)
    -> std::vector<Target> {
  std::vector<Target> added;
  const std::size_t original = plan.targets.size();
  for (std::size_t i = 0; i < original; ++i) {
    const Target silent = plan.targets[i];
    if (answered.contains(silent.node)) continue;
    suspect(silent.node, config_.request_timeout / 2);
    while (!plan.spares.empty()) {
      std::string spare = std::move(plan.spares.front());
      plan.spares.erase(plan.spares.begin());
      if (!usable(spare)) continue;
      added.push_back(Target{std::move(spare), false, silent.owner()});
      plan.targets.push_back(added.back());
      break;
    }
  }
  return added;
}

// During a membership change, writes also go to the home replicas the next layout adds, which
// are fetching the partition: whatever they miss of the fetch they get as it is written.
template <Storage S, Transport T>
void NodeCore<S, T>::add_pending_targets(Plan& plan) const {
  if (view_.stable()) return;
  const std::uint32_t partition = ring().partition_of(plan.pos);
  const ring::Ring& next = view_.next();
  for (const ring::NodeIndex i : next.primaries(partition)) {
    const std::string& node = next.member(i).name;
    plan.next_primaries.push_back(node);
    if (view_.replicates_now(node, partition) || !usable(node)) continue;
    if (std::ranges::find(plan.targets, node, &Target::node) != plan.targets.end()) continue;
    plan.targets.push_back(Target{node, false, {}, true});
  }
}

template <Storage S, Transport T>
bool NodeCore<S, T>::coordinates(std::string_view key) const {
  for (ring::NodeIndex i : ring().primaries_for_key(key)) {
    if (is_self(ring().member(i).name)) return true;
  }
  return false;
}

// The first reachable home replica of the key not tried yet, or nullopt when none is left
// (then this node coordinates itself, as the sloppy quorum allows).
template <Storage S, Transport T>
std::optional<std::string> NodeCore<S, T>::forward_target(std::string_view key,
                                                          const std::set<std::string>& tried) const {
  for (ring::NodeIndex i : ring().primaries_for_key(key)) {
    const std::string& node = ring().member(i).name;
    if (usable(node) && !tried.contains(node)) return node;
  }
  return std::nullopt;
}

template <Storage S, Transport T>
void NodeCore<S, T>::get(Key key, ReadOptions options, GetCallback done) {
  done = detail::measured(transport_, metrics_.requests, metrics::OperationKind::get, std::move(done));
  if (stopped_) return done(make_error_code(errc::shutdown), {}, {});
  route_get(std::move(key), options, std::move(done));
}

template <Storage S, Transport T>
void NodeCore<S, T>::put(Key key, const Context& context, Value value, WriteOptions options,
                         WriteCallback done) {
  done = detail::measured(transport_, metrics_.requests, metrics::OperationKind::put, std::move(done));
  if (stopped_) return done(make_error_code(errc::shutdown), {}, {});
  if (const auto ec = context.check_key(key)) return done(ec, {}, {});
  route_write(std::move(key), context.clock(), std::move(value), options, std::move(done));
}

template <Storage S, Transport T>
void NodeCore<S, T>::remove(Key key, const Context& context, WriteOptions options,
                            WriteCallback done) {
  done = detail::measured(transport_, metrics_.requests, metrics::OperationKind::remove,
                          std::move(done));
  if (stopped_) return done(make_error_code(errc::shutdown), {}, {});
  if (const auto ec = context.check_key(key)) return done(ec, {}, {});
  route_write(std::move(key), context.clock(), std::nullopt, options, std::move(done));
}

// Coordinates the get here, or forwards it to the key's first usable home replica not tried
// yet; one that does not answer in time passes it on to the next (`tried` grows each time).
template <Storage S, Transport T>
void NodeCore<S, T>::route_get(Key key, ReadOptions options, GetCallback done,
                               std::set<std::string> tried) {
  if (key.size() > config_.limits.max_key) return done(make_error_code(errc::too_large), {}, {});
  const auto target = coordinates(key) ? std::nullopt : forward_target(key, tried);
  if (!target) return coordinate_get(std::move(key), options, std::move(done));
  tried.insert(*target);
  wire::ClientGet request{0, std::move(key), static_cast<std::uint8_t>(options.r), options.strict};
  const auto reroute = [this, done, tried = std::move(tried)](wire::Message m) {
    auto& get = std::get<wire::ClientGet>(m);
    route_get(std::move(get.key), ReadOptions{get.r, get.strict}, done, tried);
  };
  forward_for_siblings<wire::ClientGetReply>(*target, std::move(request), std::move(done),
                                             reroute);
}

// As route_get, for puts and removes. A write passed on after its coordinator was only slow may
// be applied by both, as two siblings of one value; forward_timeout exceeds request_timeout so
// that a live coordinator has answered by then.
template <Storage S, Transport T>
void NodeCore<S, T>::route_write(Key key, VectorClock context, std::optional<Value> value,
                                 WriteOptions options, WriteCallback done,
                                 std::set<std::string> tried) {
  if (key.size() > config_.limits.max_key || (value && value->size() > config_.limits.max_value)) {
    return done(make_error_code(errc::too_large), {}, {});
  }
  const auto target = coordinates(key) ? std::nullopt : forward_target(key, tried);
  if (!target) {
    return coordinate_write(std::move(key), std::move(context), std::move(value), options,
                            std::move(done));
  }
  tried.insert(*target);
  const std::string encoded = Context(std::move(context)).encode();
  const auto w = static_cast<std::uint8_t>(options.w);
  wire::Message request = value ? wire::Message(wire::ClientPut{0, std::move(key), encoded,
                                                                std::move(*value), w,
                                                                options.strict})
                                : wire::Message(wire::ClientRemove{0, std::move(key), encoded, w,
                                                                   options.strict});
  const auto reroute = [this, done, tried = std::move(tried)](wire::Message m) {
    std::visit(
        [&](auto& write) {
          using M = std::decay_t<decltype(write)>;
          if constexpr (std::is_same_v<M, wire::ClientPut> || std::is_same_v<M, wire::ClientRemove>) {
            std::error_code ec;
            const Context sent = Context::decode(write.context, ec);
            assert(!ec);  // this node encoded it
            std::optional<Value> written;
            if constexpr (std::is_same_v<M, wire::ClientPut>) written = std::move(write.value);
            route_write(std::move(write.key), sent.clock(), std::move(written),
                        WriteOptions{write.w, write.strict}, done, tried);
          }
        },
        m);
  };
  forward_for_siblings<wire::ClientWriteReply>(*target, std::move(request), std::move(done),
                                               reroute);
}

// Forwards a client request and hands the coordinator's answer (a Reply carrying siblings) to
// `done`, as if this node had coordinated it.
template <Storage S, Transport T>
template <class Reply>
void NodeCore<S, T>::forward_for_siblings(const std::string& target, wire::Message request,
                                          SiblingsCallback done,
                                          std::function<void(wire::Message)> reroute) {
  forward(target, std::move(request),
          [done = std::move(done)](const wire::Status& status, const wire::Message* reply) {
            const QuorumReport report{status.replied, status.required, false};
            const auto* answer = reply ? std::get_if<Reply>(reply) : nullptr;
            if (!status.ok() || !answer) return done(wire::to_error_code(status), {}, report);
            done({}, answer->siblings, report);
          },
          std::move(reroute));
}

template <Storage S, Transport T>
void NodeCore<S, T>::forward(const std::string& target, wire::Message request,
                             std::function<void(const wire::Status&, const wire::Message*)> on_reply,
                             std::function<void(wire::Message)> reroute) {
  const std::uint64_t id = next_id(RequestKind::forward);
  wire::set_request_id(request, id);
  ForwardOp& op = forwards_[id];
  op.target = target;
  op.answer = wire::reply_type_of(wire::message_type(request)).value();
  op.on_reply = std::move(on_reply);
  op.reroute = std::move(reroute);
  op.timer = transport_.schedule(config_.forward_timeout, [this, id] { forward_failed(id, true); });
  metrics_.forwarded.add();
  send(target, request);
  op.request = std::move(request);
}

// The forward's target did not answer in time or cannot be reached (then `silent`, and it is
// suspected), or refused for too few replicas: let the request go on elsewhere if it can, else
// fail it with a timeout.
template <Storage S, Transport T>
void NodeCore<S, T>::forward_failed(std::uint64_t id, bool silent) {
  const auto it = forwards_.find(id);
  if (it == forwards_.end()) return;
  ForwardOp op = std::move(it->second);
  forwards_.erase(it);
  transport_.cancel(op.timer);
  if (silent) suspect(op.target, config_.forward_timeout);
  if (op.reroute) return op.reroute(std::move(op.request));
  op.on_reply(wire::Status{static_cast<std::uint32_t>(errc::timeout), 0, 0}, nullptr);
}

// The transport could not deliver to `peer`: suspect it at once, and send the requests
// forwarded to it on without waiting for their timeouts.
template <Storage S, Transport T>
void NodeCore<S, T>::on_unreachable(std::string_view peer) {
  const std::string node(peer);
  if (is_self(node)) return;
  suspect(node, std::chrono::milliseconds{0});
  std::vector<std::uint64_t> stranded;
  for (const auto& [id, op] : forwards_) {
    if (op.target == node) stranded.push_back(id);
  }
  for (const std::uint64_t id : stranded) forward_failed(id, true);
}

// The read itself is the ReadCoordinator's (quorum/read_coordinator.hpp): it asks every target
// at once (this node's own copy among them), then at half the deadline a spare for each silent
// one.
template <Storage S, Transport T>
void NodeCore<S, T>::coordinate_get(Key key, ReadOptions options, GetCallback done) {
  done = detail::measured(transport_, metrics_.coordinated, metrics::OperationKind::get,
                          std::move(done));
  Plan plan = plan_for(key);
  quorum::ReadPlan read_plan;
  for (Target& t : plan.targets) read_plan.targets.push_back({std::move(t.node), t.primary});
  read_plan.stand_ins = std::move(plan.spares);
  reads_.start(std::move(key), std::move(read_plan), config_.n,
               options.r ? options.r : config_.r, options.strict, std::move(done));
}

template <Storage S, Transport T>
std::optional<Siblings> NodeCore<S, T>::ReadHooks::ask(const std::string& node, std::uint64_t id,
                                                       const Key& key, std::uint64_t) {
  if (core.is_self(node)) return core.local_read(key);
  core.send(node, wire::ReplicaRead{id, key});
  return std::nullopt;
}

template <Storage S, Transport T>
void NodeCore<S, T>::ReadHooks::repair(const std::string& node, const Key& key,
                                       const Siblings& merged) {
  core.metrics_.read_repairs.add();
  if (core.is_self(node)) {
    core.store_.merge(ring::hash_key(core.ring().params().hash, key), key, merged);
  } else {
    core.send(node, wire::ReplicaWrite{core.next_id(RequestKind::untracked), key, merged});
  }
}

template <Storage S, Transport T>
void NodeCore<S, T>::coordinate_write(Key key, VectorClock context, std::optional<Value> value,
                                      WriteOptions options, WriteCallback done) {
  done = detail::measured(transport_, metrics_.coordinated,
                          value ? metrics::OperationKind::put : metrics::OperationKind::remove,
                          std::move(done));
  Plan plan = plan_for(key);
  const std::uint32_t required = options.w ? options.w : config_.w;
  const std::uint32_t reachable =
      options.strict ? plan.reachable_primaries : static_cast<std::uint32_t>(plan.targets.size());
  const QuorumReport report{reachable, required, options.strict};
  if (required > config_.n) return done(make_error_code(errc::invalid_request), {}, report);
  if (reachable < required) return done(make_error_code(errc::unavailable), {}, report);
  add_pending_targets(plan);
  const bool joint = options.strict && !view_.stable();
  if (joint) {
    const auto next_reachable = static_cast<std::uint32_t>(
        std::ranges::count_if(plan.next_primaries, [&](const std::string& n) { return usable(n); }));
    if (next_reachable < required) {
      return done(make_error_code(errc::unavailable), {}, {next_reachable, required, true});
    }
  }

  // The dot's counter must exceed every event of its actor that this key has seen, and every
  // replica that learns the new version must learn the coordinator's other versions of the key
  // with it: otherwise a context read from that replica would claim, and a later write would
  // discard, a sibling its reader never saw. A home replica therefore coordinates with its own
  // actor and replicates its whole sibling set; any other coordinator (the sloppy quorum's last
  // resort) holds no such history and issues the dot from a one-off actor instead.
  const bool home = std::ranges::any_of(plan.targets, [&](const Target& t) {
    return t.primary && is_self(t.node);
  });
  Dot dot{actor_, ++counter_};
  if (!home) {
    do {
      dot = Dot{ActorId{transport_.random()}, 1};
    } while (dot.actor.value == 0);
  }
  const bool tombstone = !value.has_value();
  Versioned version = make_version(dot, transport_.wall_clock_ms(), context,
                                   tombstone ? Value{} : std::move(*value), tombstone,
                                   config_.max_clock_entries);
  const std::uint64_t id = next_id(RequestKind::write);
  WriteOp& op = writes_[id];
  op.key = key;
  op.plan = std::move(plan);
  if (home) op.replicated = store_.get(op.plan.pos, key).value_or(Siblings{});
  op.replicated.add(std::move(version));
  op.report = {0, required, options.strict};
  op.next_required = joint ? required : 0;
  op.done = std::move(done);
  op.timer = transport_.schedule(config_.request_timeout, [this, id] { finish_write(id); });
  op.escalation = transport_.schedule(config_.request_timeout / 2, [this, id] {
    const auto it = writes_.find(id);
    if (it == writes_.end()) return;
    WriteOp& w = it->second;
    for (const Target& t : replace_silent(w.plan, w.acked)) {
      send(t.node, wire::HintedWrite{id, w.key, t.hint_owner, w.replicated});
    }
  });
  bool local = false;
  for (const Target& t : op.plan.targets) {
    if (is_self(t.node)) {
      merge_local(t, op.plan.pos, key, op.replicated);
      local = true;
    } else if (t.primary || t.pending) {
      send(t.node, wire::ReplicaWrite{id, key, op.replicated});
    } else {
      send(t.node, wire::HintedWrite{id, key, t.hint_owner, op.replicated});
    }
  }
  // A home replica that is unreachable with no fallback left to stand in for it gets its copy as
  // a hint kept here, so hinted handoff still brings it the write when it returns.
  for (const std::string& owner : op.plan.uncovered) merge_into_hint(owner, key, op.replicated);
  if (local) when_durable([this, id] { on_write_ack(id, config_.name); });
}

template <Storage S, Transport T>
bool NodeCore<S, T>::write_satisfied(const WriteOp& op) const {
  return op.report.replied >= op.report.required && op.next_replied >= op.next_required;
}

template <Storage S, Transport T>
void NodeCore<S, T>::on_write_ack(std::uint64_t id, const std::string& from) {
  const auto it = writes_.find(id);
  if (it == writes_.end()) return unmatched();
  WriteOp& op = it->second;
  const auto target = std::ranges::find(op.plan.targets, from, &Target::node);
  if (target == op.plan.targets.end() || !op.acked.insert(from).second) return unmatched();
  if (!target->pending && (!op.report.strict || target->primary)) ++op.report.replied;
  if (op.next_required > 0 && std::ranges::find(op.plan.next_primaries, from) !=
                                  op.plan.next_primaries.end()) {
    ++op.next_replied;
  }
  if (op.done && write_satisfied(op)) {
    auto done = std::move(op.done);
    op.done = nullptr;
    done({}, op.replicated, op.report);
  }
  if (op.acked.size() == op.plan.targets.size()) finish_write(id);
}

// Every target acknowledged or the deadline passed. A target that stayed silent may never have
// received the version, so this node keeps it as a hint for the owner that target stood for,
// and hinted handoff delivers it once the owner answers again.
template <Storage S, Transport T>
void NodeCore<S, T>::finish_write(std::uint64_t id) {
  const auto it = writes_.find(id);
  if (it == writes_.end()) return;
  WriteOp op = std::move(it->second);
  writes_.erase(it);
  transport_.cancel(op.timer);
  transport_.cancel(op.escalation);
  if (op.done) op.done(make_error_code(errc::quorum_not_reached), op.replicated, op.report);
  std::set<std::string> covered;  // owners whose copy some target acknowledged
  for (const Target& t : op.plan.targets) {
    if (op.acked.contains(t.node)) covered.insert(t.owner());
  }
  for (const Target& t : op.plan.targets) {
    if (op.acked.contains(t.node)) continue;
    suspect(t.node, config_.request_timeout / 2);  // a spare was asked at the escalation
    if (!is_self(t.owner()) && covered.insert(t.owner()).second) {
      merge_into_hint(t.owner(), op.key, op.replicated);
    }
  }
}

}  // namespace dynamo
