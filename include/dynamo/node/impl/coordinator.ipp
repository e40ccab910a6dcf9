#pragma once
// Routing: a request is coordinated here when this node is a home replica of its key, else
// forwarded to one that is (forwarder.hpp); the read and write coordinators
// (quorum/read_coordinator.hpp, write_coordinator.hpp) do the quorum work through the hooks
// defined here.

namespace dynamo {

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
  metrics_.forwarded.add();
  forwards_.forward(target, std::move(request), std::move(on_reply), std::move(reroute));
}

// The transport could not deliver to `peer`: suspect it at once, and send the requests
// forwarded to it on without waiting for their timeouts.
template <Storage S, Transport T>
void NodeCore<S, T>::on_unreachable(std::string_view peer) {
  const std::string node(peer);
  if (is_self(node)) return;
  suspect(node, std::chrono::milliseconds{0});
  forwards_.on_unreachable(node);
}

// The read itself is the ReadCoordinator's (quorum/read_coordinator.hpp): it asks every target
// at once (this node's own copy among them), then at half the deadline a spare for each silent
// one.
template <Storage S, Transport T>
void NodeCore<S, T>::coordinate_get(Key key, ReadOptions options, GetCallback done) {
  done = detail::measured(transport_, metrics_.coordinated, metrics::OperationKind::get,
                          std::move(done));
  ReplicaPlan plan = plan_for(key);
  quorum::ReadPlan read_plan;
  for (ReplicaTarget& t : plan.targets) read_plan.targets.push_back({std::move(t.node), t.primary});
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
  ReplicaPlan plan = plan_for(key);
  writes_.start(std::move(key), std::move(plan), view(), std::move(context), std::move(value),
                options, std::move(done));
}

// A coordinator that is no home replica of the key issues its dot from a one-off actor
// (write_coordinator.ipp says why).
template <Storage S, Transport T>
ActorId NodeCore<S, T>::WriteHooks::one_off_actor() {
  ActorId actor;
  do {
    actor = ActorId{core.transport_.random()};
  } while (actor.value == 0);
  return actor;
}

}  // namespace dynamo
