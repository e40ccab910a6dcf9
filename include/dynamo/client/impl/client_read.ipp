#pragma once
// Reads the client coordinates itself (ReadCoordination::client, the paper's section 6.4): the
// state machine a coordinating node runs for a get, moved into the client, so a read is one
// round trip to R replicas instead of a hop to a coordinator that then asks all N.

#include <algorithm>

namespace dynamo {

// The first N of the key's preference list that the client does not suspect, home replicas
// counted as primaries, the rest standing in for suspected ones (the sloppy quorum; a fallback
// answers with the hints it keeps). A strict read takes the home replicas only. Suspected nodes
// fill the list when too few others are left: the client's suspicion comes from timeouts alone
// and may be out of date.
template <Transport T>
auto ClientCore<T>::read_targets(std::string_view key, bool strict) const
    -> std::vector<ReadTarget> {
  const auto preference = ring_->preference_list_for_key(key);
  const std::size_t n = std::min<std::size_t>(ring_->replicas(), preference.size());
  std::vector<ReadTarget> targets;
  std::vector<ReadTarget> suspected;
  for (std::size_t i = 0; i < preference.size() && targets.size() < n; ++i) {
    const bool primary = i < n;
    if (strict && !primary) break;
    ReadTarget target{ring_->member(preference[i]).name, primary};
    if (health_.is_suspected(target.node, transport_.now())) {
      if (primary) suspected.push_back(std::move(target));
    } else {
      targets.push_back(std::move(target));
    }
  }
  for (ReadTarget& target : suspected) {
    if (targets.size() >= n) break;
    targets.push_back(std::move(target));
  }
  return targets;
}

template <Transport T>
void ClientCore<T>::coordinate_read(Key key, ReadOptions options, GetCallback done) {
  const std::uint32_t required = options.r != 0 ? options.r : read_quorum_;
  const QuorumReport refused{0, required, options.strict};
  if (const std::error_code ec =
          wire::check_limits(wire::ReplicaRead{0, key, ring_document_.epoch}, config_.limits)) {
    return done(ec, {}, refused);
  }
  if (required > ring_->replicas()) {
    return done(make_error_code(errc::invalid_request), {}, refused);
  }
  probe_silent_suspects();
  std::vector<ReadTarget> targets = read_targets(key, options.strict);
  if (targets.size() < required) {
    return done(make_error_code(errc::unavailable), {},
                {static_cast<std::uint32_t>(targets.size()), required, options.strict});
  }
  const std::uint64_t id = ++last_id_;
  ReadOp& op = reads_[id];
  op.key = std::move(key);
  op.options = options;
  op.epoch = ring_document_.epoch;
  op.targets = std::move(targets);
  op.tally = detail::ReadTally(required, options.strict);
  op.done = std::move(done);
  op.deadline = transport_.schedule(config_.request_timeout, [this, id] { finish_read(id); });
  op.speculation =
      transport_.schedule(config_.read_speculation_delay, [this, id] { speculate(id); });
  for (std::size_t i = 0; i < required; ++i) ask(id, op.targets[i]);
}

template <Transport T>
void ClientCore<T>::ask(std::uint64_t id, const ReadTarget& target) {
  ReadOp& op = reads_.at(id);
  op.tally.asked(target.node, target.primary);
  send(target.node, wire::ReplicaRead{id, op.key, op.epoch});
}

// R replicas have not all answered in time: ask the rest of the targets as well, and suspect
// the slow ones until they answer (any message from them clears it), so that meanwhile writes
// go first to a home replica that answers instead of waiting out an attempt_timeout.
// Once every target has been asked, each further round stands in the next node of the
// preference list for each silent target (a sloppy read; a strict one has no stand-ins), so
// reachable fallbacks are asked when home replicas are cut off.
template <Transport T>
void ClientCore<T>::speculate(std::uint64_t id) {
  const auto it = reads_.find(id);
  if (it == reads_.end() || !it->second.done) return;
  ReadOp& op = it->second;
  std::size_t silent = 0;
  op.tally.for_each_silent([&](const std::string& node) {
    health_.timed_out(node, transport_.now(), config_.read_speculation_delay);
    ++silent;
  });
  bool asked_more = false;
  for (const ReadTarget& target : op.targets) {
    if (!op.tally.has_asked(target.node)) {
      ask(id, target);
      asked_more = true;
    }
  }
  if (!asked_more && !op.options.strict && ring_) {
    for (const ring::NodeIndex i : ring_->preference_list_for_key(op.key)) {
      if (silent == 0) break;
      const std::string& node = ring_->member(i).name;
      if (op.tally.has_asked(node)) continue;
      op.targets.push_back(ReadTarget{node, false});
      ask(id, op.targets.back());
      asked_more = true;
      --silent;
    }
  }
  if (asked_more) {
    op.speculation =
        transport_.schedule(config_.read_speculation_delay, [this, id] { speculate(id); });
  }
}

template <Transport T>
void ClientCore<T>::on_replica_read_reply(const std::string& from, wire::ReplicaReadReply reply) {
  const auto it = reads_.find(reply.request_id);
  if (it == reads_.end()) return unmatched();
  ReadOp& op = it->second;
  // The replica holds another ring than ours: it may no longer keep the key, or not yet. Ask
  // for the ring and let a node, which plans with its own, coordinate this read.
  if (!reply.status.ok()) {
    if (!op.tally.awaits(from)) return unmatched();
    return read_through_node(it);
  }
  if (!op.tally.record(from, std::move(reply.siblings))) return unmatched();
  if (op.done && op.tally.reached()) answer_read(op, {});
  if (!op.done && op.tally.all_answered()) finish_read(reply.request_id);
}

template <Transport T>
void ClientCore<T>::answer_read(ReadOp& op, std::error_code ec) {
  auto done = std::move(op.done);
  op.done = nullptr;
  done(ec, ec ? Siblings{} : op.tally.merged(), op.tally.report());
}

template <Transport T>
auto ClientCore<T>::take_read(typename ReadOps::iterator it) -> ReadOp {
  ReadOp op = std::move(it->second);
  reads_.erase(it);
  transport_.cancel(op.deadline);
  transport_.cancel(op.speculation);
  return op;
}

// Every replica asked has answered, or the deadline passed: answer if not yet done (timeout when
// no replica answered at all), suspect the silent, and send the merged siblings to each home
// replica that answered with less (read repair, after the reply, as a coordinator does).
template <Transport T>
void ClientCore<T>::finish_read(std::uint64_t id) {
  const auto it = reads_.find(id);
  if (it == reads_.end()) return;
  ReadOp op = take_read(it);
  if (op.done) {
    answer_read(op, make_error_code(op.tally.none_answered() ? errc::timeout
                                                             : errc::quorum_not_reached));
  }
  bool silent = false;
  op.tally.for_each_silent([&](const std::string& node) {
    // Stand-ins were asked one speculation delay before, the first targets long before.
    health_.timed_out(node, transport_.now(), config_.read_speculation_delay);
    silent = true;
  });
  if (silent) refresh_ring();  // the node may have left
  op.tally.for_each_stale_primary([&](const std::string& node) {
    metrics_.read_repairs.add();
    send(node, wire::ReplicaWrite{++last_id_, op.key, op.tally.merged()});
  });
}

// A replica answered with another ring epoch: the read goes to a node to coordinate, unless it
// was already answered (then only the repair is skipped).
template <Transport T>
void ClientCore<T>::read_through_node(typename ReadOps::iterator it) {
  ReadOp op = take_read(it);
  refresh_ring();
  if (!op.done) return;
  const std::string routing = op.key;
  submit(wire::ClientGet{0, std::move(op.key), static_cast<std::uint8_t>(op.options.r),
                         op.options.strict},
         true, routing, std::move(op.done), nullptr);
}

}  // namespace dynamo
