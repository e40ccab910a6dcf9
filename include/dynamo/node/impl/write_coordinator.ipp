#pragma once
// WriteCoordinator's protocol: start, acknowledgements, the hedge and the deadline.

#include <algorithm>

#include "dynamo/detail/invariant.hpp"

namespace dynamo {

template <OneShotTimers Timers, WriteContext Context>
void WriteCoordinator<Timers, Context>::start(Key key, ReplicaPlan plan,
                                              const membership::RingView& view,
                                              VectorClock context, std::optional<Value> value,
                                              WriteOptions options, Done done) {
  const auto usable = [this](const std::string& node) { return context_.usable(node); };
  const std::uint32_t required = options.w ? options.w : settings_.w;
  const std::uint32_t reachable =
      options.strict ? plan.reachable_primaries : static_cast<std::uint32_t>(plan.targets.size());
  const QuorumReport report{reachable, required, options.strict};
  if (required > settings_.n) return done(make_error_code(errc::invalid_request), {}, report);
  if (reachable < required) return done(make_error_code(errc::unavailable), {}, report);
  add_pending_targets(plan, view, usable);
  const bool joint = options.strict && !view.stable();
  if (joint) {
    const auto next_reachable =
        static_cast<std::uint32_t>(std::ranges::count_if(plan.next_primaries, usable));
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
  const bool home = std::ranges::any_of(plan.targets, [&](const ReplicaTarget& t) {
    return t.primary && context_.is_self(t.node);
  });
  // Every write takes a counter of this node's actor, used or not, as it always has.
  const Dot own{context_.actor(), ++counter_};
  const Dot dot = home ? own : Dot{context_.one_off_actor(), 1};
  const bool tombstone = !value.has_value();
  Versioned version = make_version(dot, context_.wall_clock_ms(), context,
                                   tombstone ? Value{} : std::move(*value), tombstone,
                                   settings_.max_clock_entries);
  WriteOp op;
  op.key = key;
  op.plan = std::move(plan);
  if (home) op.replicated = context_.stored(op.plan.pos, key).value_or(Siblings{});
  op.replicated.add(std::move(version));
  op.report = {0, required, options.strict};
  op.next_required = joint ? required : 0;
  op.done = std::move(done);
  const std::uint64_t id = writes_.start(std::move(op), settings_.request_timeout / 2);
  const WriteOp& started = writes_.at(id);
  bool local = false;
  for (const ReplicaTarget& t : started.plan.targets) {
    if (context_.is_self(t.node)) {
      context_.merge_local(t, started.plan.pos, key, started.replicated);
      local = true;
    } else if (t.primary || t.pending) {
      context_.send(t.node, wire::ReplicaWrite{id, key, started.replicated});
    } else {
      context_.send(t.node, wire::HintedWrite{id, key, t.hint_owner, started.replicated});
    }
  }
  // A home replica that is unreachable with no fallback left to stand in for it gets its copy as
  // a hint kept here, so hinted handoff still brings it the write when it returns.
  for (const std::string& owner : started.plan.uncovered) {
    context_.merge_into_hint(owner, key, started.replicated);
  }
  if (local) {
    // The write may have finished before the storage made it durable: then this matches nothing.
    context_.when_durable([this, id] {
      if (!on_ack(id, settings_.self)) context_.unmatched();
    });
  }
}

template <OneShotTimers Timers, WriteContext Context>
bool WriteCoordinator<Timers, Context>::on_ack(std::uint64_t id, const std::string& from) {
  WriteOp* op = writes_.find(id);
  if (op == nullptr) return false;
  const auto target = std::ranges::find(op->plan.targets, from, &ReplicaTarget::node);
  if (target == op->plan.targets.end() || !op->acked.insert(from).second) return false;
  if (!target->pending && (!op->report.strict || target->primary)) ++op->report.replied;
  if (op->next_required > 0 && std::ranges::find(op->plan.next_primaries, from) !=
                                   op->plan.next_primaries.end()) {
    ++op->next_replied;
  }
  if (op->done && satisfied(*op)) {
    auto done = std::move(op->done);
    op->done = nullptr;
    done({}, op->replicated, op->report);
  }
  // The callback may have started or finished other writes, never this one.
  op = writes_.find(id);
  assert(op != nullptr);
  if (op->acked.size() == op->plan.targets.size()) finish(id);
  return true;
}

// Halfway to the deadline, each target that has not answered is suspected and, where a spare
// node of the preference list is usable, replaced by it: a node that just failed costs a write
// half a timeout, not the whole call. At the deadline the write finishes.
template <OneShotTimers Timers, WriteContext Context>
void WriteCoordinator<Timers, Context>::on_deadline(std::uint64_t id) {
  WriteOp& op = writes_.at(id);
  if (op.hedged) return finish(id);
  op.hedged = true;
  const auto half = settings_.request_timeout / 2;
  writes_.rearm(id, settings_.request_timeout - half);
  const auto added = replace_silent(
      op.plan, op.acked, [this](const std::string& node) { return context_.usable(node); },
      [this, half](const std::string& node) { context_.suspect(node, half); });
  for (const ReplicaTarget& t : added) {
    context_.send(t.node, wire::HintedWrite{id, op.key, t.hint_owner, op.replicated});
  }
}

// Every target acknowledged or the deadline passed. A target that stayed silent may never have
// received the version, so this node keeps it as a hint for the owner that target stood for,
// and hinted handoff delivers it once the owner answers again.
template <OneShotTimers Timers, WriteContext Context>
void WriteCoordinator<Timers, Context>::finish(std::uint64_t id) {
  std::optional<WriteOp> taken = writes_.take(id);
  assert(taken);
  WriteOp& op = *taken;
  if (op.done) op.done(make_error_code(errc::quorum_not_reached), op.replicated, op.report);
  std::set<std::string> covered;  // owners whose copy some target acknowledged
  for (const ReplicaTarget& t : op.plan.targets) {
    if (op.acked.contains(t.node)) covered.insert(t.owner());
  }
  for (const ReplicaTarget& t : op.plan.targets) {
    if (op.acked.contains(t.node)) continue;
    context_.suspect(t.node, settings_.request_timeout / 2);  // a spare was asked at the hedge
    if (!context_.is_self(t.owner()) && covered.insert(t.owner()).second) {
      context_.merge_into_hint(t.owner(), op.key, op.replicated);
    }
  }
}

template <OneShotTimers Timers, WriteContext Context>
void WriteCoordinator<Timers, Context>::fail_all(std::error_code ec) {
  for (auto& [id, op] : writes_.take_all()) {
    if (op.done) op.done(ec, {}, op.report);
  }
}

template <OneShotTimers Timers, WriteContext Context>
template <class Live>
void WriteCoordinator<Timers, Context>::check_invariants(Live live) const {
  writes_.check_invariants("write", live);
  constexpr std::size_t sampled_writes = 4;
  std::size_t sampled = 0;
  writes_.for_each([&](std::uint64_t id, const WriteOp& op) {
    const std::string name = "write " + std::to_string(id) + " of " + op.key;
    if (op.acked.size() >= op.plan.targets.size()) {
      detail::invariant_violated("write coordinator", "a write every target acknowledged is finished", name);
    }
    if (!mutually_concurrent(op.replicated.versions())) {
      detail::invariant_violated("write coordinator", "siblings are mutually concurrent", "the sibling set " + name + " replicates");
    }
    // A bounded sample of stored sibling sets: the keys of the first writes in flight, which are
    // the keys most recently written here.
    if (sampled++ < sampled_writes) {
      if (const auto stored = context_.stored(op.plan.pos, op.key);
          stored && !mutually_concurrent(stored->versions())) {
        detail::invariant_violated("write coordinator", "siblings are mutually concurrent", "the stored sibling set of " + op.key);
      }
    }
  });
}

}  // namespace dynamo
