#pragma once
// Membership (the paper's sections 4.8 and 4.9, with Riak's claimant): the ring document this
// node holds, how gossip spreads it, how the claimant changes it, and how a change completes.
// See membership/ring_view.hpp for the model.

#include <algorithm>

namespace dynamo {
namespace detail {

inline constexpr std::string_view ring_meta = "dynamo.ring";

// The founding members' ring (epoch 1), which every founder derives alike from its config.
inline membership::RingState founding_ring(const Config& config) {
  std::vector<ring::Member> members;
  std::vector<wire::MemberAddress> addresses;
  for (const MemberConfig& m : config.members) {
    members.push_back({m.name, m.zone, m.weight, {}});
    if (!m.address.empty()) addresses.push_back({m.name, m.address});
  }
  return {1, ring::assign_initial(config.ring, std::move(members)), {}, std::move(addresses)};
}

// The ring a node kept in its storage, if any. Throws std::invalid_argument when it belongs to a
// cluster of another shape than the config describes: starting would misplace every key.
inline std::optional<membership::RingState> stored_ring(const std::optional<std::string>& bytes,
                                                        const Config& config) {
  wire::Message message;
  if (!bytes || wire::decode_frame(*bytes, config.limits, message)) return std::nullopt;
  auto* reply = std::get_if<wire::RingReply>(&message);
  if (!reply) return std::nullopt;
  if (reply->ring != config.ring || reply->replicas != config.n) {
    std::ostringstream why;
    why << "dynamo config: the storage holds the ring of a cluster with " << reply->ring
        << " and N = " << reply->replicas << ", but the config says " << config.ring
        << " and N = " << config.n;
    throw std::invalid_argument(why.str());
  }
  return wire::state_of(std::move(*reply));
}

}  // namespace detail

// The newest ring this node knows wins: the one in its storage (a node that joined or saw
// changes must not fall back to the founders' list on a restart), else the founders' ring, else
// none until gossip with a seed brings one.
template <Storage S, Transport T>
void NodeCore<S, T>::load_ring() {
  std::optional<membership::RingState> state =
      detail::stored_ring(storage().get_meta(detail::ring_meta), config_);
  if (!state && !config_.members.empty()) state = detail::founding_ring(config_);
  if (state) {
    std::string why;
    if (auto view = membership::RingView::build(config_.ring, config_.n, std::move(*state), why)) {
      adopt(std::move(*view));
    } else {
      log(LogLevel::error, "ring_ignored", "ignoring the ring kept in storage: " + why,
          {{"reason", why}});
    }
  }
  follow_members();
  announce_self();
  // Tombstones wait a grace period after each ring change this node sees; none is pending at
  // start-up.
  ring_changed_at_ = now() - config_.tombstone_grace;
}

template <Storage S, Transport T>
void NodeCore<S, T>::adopt(membership::RingView view) {
  const std::uint64_t before = view_.epoch();
  const bool was_member = view_.contains(config_.name);
  view_ = std::move(view);
  was_member_ |= view_.contains(config_.name);
  ring_changed_at_ = now();
  roles_.assign(ring().params().partitions, 0);
  for (std::uint32_t p = 0; p < roles_.size(); ++p) {
    if (view_.replicates_now(config_.name, p)) roles_[p] |= replica_now;
    if (view_.replicates_next(config_.name, p)) roles_[p] |= replica_next;
  }
  persist_ring();
  learn_addresses();
  follow_members();
  store_.keep_trees_if([&](std::uint32_t partition) { return replicates(partition); });
  transfer_.on_ring_change();
  rescan_tombstones();
  announce_self();
  log(LogLevel::info, "ring_adopted", ring_summary(before, was_member),
      {{"epoch", std::to_string(view_.epoch())}});
}

// One log line about the ring just taken: "ring epoch 2 (was 1): 3 member(s), a change under
// way: d joining; 48 partition replica(s) move, 48 to this node".
template <Storage S, Transport T>
std::string NodeCore<S, T>::ring_summary(std::uint64_t before, bool was_member) const {
  std::string line = "ring epoch " + std::to_string(view_.epoch()) + " (was " +
                     std::to_string(before) + "): " + std::to_string(view_.current().size()) +
                     " member(s)";
  if (!view_.stable()) {
    line += ", a change under way:";
    for (const std::string& name : view_.names()) {
      const auto status = view_.status_of(name);
      if (status != membership::MemberStatus::normal) {
        line += " " + name + " " + std::string(membership::to_string(status));
      }
    }
    const auto mine = std::ranges::count(view_.transfers(), config_.name,
                                         &membership::Transfer::destination);
    line += "; " + std::to_string(view_.transfers().size()) + " partition replica(s) move, " +
            std::to_string(mine) + " to this node";
  }
  if (was_member && !view_.contains(config_.name)) line += "; this node has left the ring";
  return line;
}

template <Storage S, Transport T>
void NodeCore<S, T>::persist_ring() {
  store_.put_meta(detail::ring_meta,
                  wire::encode_frame(wire::to_reply(view_.state(), 0, config_.ring, config_.n)));
}

// Transports that dial by address learn the members' addresses from the ring.
template <Storage S, Transport T>
void NodeCore<S, T>::learn_addresses() {
  if constexpr (PeerDirectory<T>) {
    for (const wire::MemberAddress& a : view_.state().addresses) {
      if (!is_self(a.name)) transport_.add_peer(a.name, a.address);
    }
  }
}

// Heartbeats and failure detectors follow the ring's members.
template <Storage S, Transport T>
void NodeCore<S, T>::follow_members() {
  gossip_.set_members(view_.names());
  peers_.follow(view_.names(), now());
}

template <Storage S, Transport T>
void NodeCore<S, T>::announce_self() {
  gossip_.set_self(view_.status_of(config_.name), view_.epoch(), transfer_.fetched_epoch());
}

// The ring's members and the seeds: whom this node gossips with.
template <Storage S, Transport T>
std::vector<std::string> NodeCore<S, T>::gossip_targets() const {
  std::set<std::string> targets(view_.names().begin(), view_.names().end());
  targets.insert(config_.seeds.begin(), config_.seeds.end());
  targets.erase(config_.name);
  return {targets.begin(), targets.end()};
}

template <Storage S, Transport T>
void NodeCore<S, T>::push_ring(const std::string& to) {
  send(to, wire::to_reply(view_.state(), 0, config_.ring, config_.n));
}

template <Storage S, Transport T>
void NodeCore<S, T>::push_ring_to_all() {
  for (const std::string& name : view_.names()) {
    if (!is_self(name)) push_ring(name);
  }
}

// A ring from a peer, asked for or pushed: taken if it is newer; a peer that sent an older one
// gets ours back.
template <Storage S, Transport T>
void NodeCore<S, T>::on_ring_document(const std::string& from, wire::RingReply reply) {
  if (reply.epoch == 0) return;  // the peer has no ring yet
  if (reply.ring != config_.ring || reply.replicas != config_.n) {
    log(LogLevel::warning, "ring_ignored",
        "ignoring the ring of " + from + ": it is for another cluster shape",
        {{"peer", from}, {"reason", "another cluster shape"}});
    return;
  }
  std::string why;
  auto theirs = membership::RingView::build(config_.ring, config_.n,
                                            wire::state_of(std::move(reply)), why);
  if (!theirs) {
    log(LogLevel::warning, "ring_ignored", "ignoring the ring of " + from + ": " + why,
        {{"peer", from}, {"reason", why}});
    return;
  }
  if (!wire::supersedes(theirs->state(), view_.state())) {
    if (wire::supersedes(view_.state(), theirs->state())) push_ring(from);
    return;
  }
  if (theirs->epoch() == view_.epoch()) {
    log(LogLevel::warning, "ring_conflict",
        "two rings of epoch " + std::to_string(view_.epoch()) + " differ; taking " + from +
            "'s (were the founding members configured alike?)",
        {{"peer", from}, {"epoch", std::to_string(view_.epoch())}});
  }
  adopt(std::move(*theirs));
}

// Every heartbeat carries its sender's ring epoch: a peer behind gets our ring, a peer ahead is
// asked for its own.
template <Storage S, Transport T>
void NodeCore<S, T>::compare_ring_epochs(const std::string& from,
                                         const std::vector<wire::MemberHeartbeat>& members) {
  const auto sender = std::ranges::find(members, from, &wire::MemberHeartbeat::name);
  if (sender == members.end()) return;
  if (sender->ring_epoch > view_.epoch()) {
    send(from, wire::RingRequest{next_id(RequestKind::untracked)});
  } else if (sender->ring_epoch < view_.epoch()) {
    push_ring(from);
  }
}

template <Storage S, Transport T>
void NodeCore<S, T>::handle_membership_change(const std::string& from,
                                              const wire::MembershipChange& m) {
  const std::uint64_t id = m.request_id;
  const auto reply = [this, from, id](std::error_code ec, MembershipResult result) {
    send(from, wire::MembershipChangeReply{id, wire::to_status(ec, 0, 0), result.epoch,
                                           std::move(result.detail)});
  };
  // A member passes a request on only once: two nodes whose rings name different claimants
  // must not bounce it between them.
  const std::string* claimant = view_.claimant();
  if (view_.contains(from) && claimant && !is_self(*claimant)) {
    return reply(make_error_code(errc::unavailable),
                 {view_.epoch(), config_.name + " is not the claimant in its ring of epoch " +
                                     std::to_string(view_.epoch()) + "; try again"});
  }
  request_change({m.kind, m.name, m.address, m.zone, m.weight}, reply);
}

// The host's own request (Node::async_join, async_leave) waits out a change still spreading,
// for up to ten seconds; a client's request is answered at once and its client retries.
template <Storage S, Transport T>
void NodeCore<S, T>::change_membership(membership::ChangeRequest request, ChangeCallback done) {
  if (stopped_) return done(make_error_code(errc::shutdown), {});
  retry_change(std::move(request), std::move(done), 0);
}

template <Storage S, Transport T>
void NodeCore<S, T>::retry_change(membership::ChangeRequest request, ChangeCallback done,
                                  int attempt) {
  request_change(request, [this, request, done = std::move(done), attempt](
                              std::error_code ec, MembershipResult result) mutable {
    if (ec != errc::ring_changing || attempt >= max_change_retries) {
      return done(ec, std::move(result));
    }
    const std::uint64_t id = next_id(RequestKind::membership_retry);
    const TimerId timer = transport_.schedule(change_retry_delay, [this, id, attempt] {
      auto waiting = std::move(change_retries_.at(id).second);
      change_retries_.erase(id);
      retry_change(std::move(waiting.first), std::move(waiting.second), attempt + 1);
    });
    change_retries_.emplace(id, std::pair{timer, std::pair{std::move(request), std::move(done)}});
  });
}

template <Storage S, Transport T>
void NodeCore<S, T>::request_change(membership::ChangeRequest request, ChangeCallback done) {
  if (request.kind != wire::ChangeKind::join && request.kind != wire::ChangeKind::leave) {
    return done(make_error_code(errc::invalid_request), {0, "unknown kind of membership change"});
  }
  const std::string* claimant = view_.claimant();
  if (!claimant) {
    return done(make_error_code(errc::unavailable), {0, config_.name + " has no ring yet"});
  }
  if (is_self(*claimant)) return apply_change(request, std::move(done));
  if (!usable(*claimant)) {
    return done(make_error_code(errc::unavailable),
                {view_.epoch(), "the claimant " + *claimant +
                                    ", the node that makes membership changes, is unreachable"});
  }
  wire::MembershipChange m{0, request.kind, request.name, request.address, request.zone,
                           request.weight};
  forward(*claimant, std::move(m),
          [done = std::move(done)](const wire::Status& status, const wire::Message* reply) {
            const auto* answer = reply ? std::get_if<wire::MembershipChangeReply>(reply) : nullptr;
            if (!answer) return done(wire::to_error_code(status), {0, "the claimant did not answer"});
            done(wire::to_error_code(answer->status), {answer->epoch, answer->detail});
          });
}

// The claimant writes every epoch of the ring, changes and completions alike, so no two
// documents of one epoch can exist. It writes a new one only once its last has reached every
// live member and nobody announces a newer one (it may have restarted on an older disk).
template <Storage S, Transport T>
void NodeCore<S, T>::apply_change(const membership::ChangeRequest& request, ChangeCallback done) {
  membership::ChangePlan plan = membership::plan_change(config_.ring, view_, request);
  if (plan.refused) {
    log(LogLevel::warning, "change_refused", "membership change refused: " + plan.detail,
        {{"reason", plan.detail}});
    return done(make_error_code(errc::invalid_request), {view_.epoch(), plan.detail});
  }
  if (plan.state) {
    if (!ring_is_newest() || !ring_seen_by_all(view_.epoch())) {
      return done(make_error_code(errc::ring_changing),
                  {view_.epoch(), "ring epoch " + std::to_string(view_.epoch()) +
                                      " has not reached every member yet"});
    }
    std::string why;
    auto view = membership::RingView::build(config_.ring, config_.n, std::move(*plan.state), why);
    if (!view) return done(make_error_code(errc::invalid_request), {view_.epoch(), why});
    log(LogLevel::info, "change_planned", "membership change: " + plan.detail,
        {{"change", plan.detail}});
    adopt(std::move(*view));
    push_ring_to_all();
  }
  done({}, {view_.epoch(), plan.detail});
}

// A change completes once every destination announces it has fetched everything for its epoch.
template <Storage S, Transport T>
void NodeCore<S, T>::maybe_complete_change() {
  if (view_.stable()) return;
  const std::string* claimant = view_.claimant();
  if (!claimant || !is_self(*claimant) || !ring_is_newest()) return;
  for (const membership::Transfer& t : view_.transfers()) {
    if (fetched_epoch_of(t.destination) < view_.epoch()) return;
  }
  std::string why;
  auto done = membership::RingView::build(config_.ring, config_.n, membership::completed(view_), why);
  if (!done) {
    return log(LogLevel::error, "change_stuck", "cannot complete the membership change: " + why,
               {{"reason", why}});
  }
  log(LogLevel::info, "change_complete",
      "membership change complete: every destination has fetched its partitions");
  adopt(std::move(*done));
  push_ring_to_all();
}

template <Storage S, Transport T>
std::uint64_t NodeCore<S, T>::fetched_epoch_of(const std::string& node) const {
  if (is_self(node)) return transfer_.fetched_epoch();
  const wire::MemberHeartbeat* entry = gossip_.find(node);
  return entry ? entry->fetched_epoch : 0;
}

// Whether every member not believed down holds at least this ring epoch, by their heartbeats.
template <Storage S, Transport T>
bool NodeCore<S, T>::ring_seen_by_all(std::uint64_t epoch) const {
  for (const std::string& name : view_.names()) {
    if (is_self(name) || peers_.is_down(name)) continue;
    const wire::MemberHeartbeat* entry = gossip_.find(name);
    if (!entry || entry->ring_epoch < epoch) return false;
  }
  return true;
}

// Whether no member's heartbeat announces a newer ring than ours.
template <Storage S, Transport T>
bool NodeCore<S, T>::ring_is_newest() const {
  for (const wire::MemberHeartbeat& entry : gossip_.snapshot()) {
    if (entry.ring_epoch > view_.epoch()) return false;
  }
  return true;
}

template <Storage S, Transport T>
bool NodeCore<S, T>::has_left() const {
  return was_member_ && view_.known() && !view_.contains(config_.name) && storage().size() == 0 &&
         storage().hint_count() == 0 && transfer_.relocations_in_flight() == 0;
}

template <Storage S, Transport T>
bool NodeCore<S, T>::misplaced(std::uint32_t partition) const {
  return view_.known() && partition < roles_.size() && roles_[partition] == 0;
}

template <Storage S, Transport T>
void NodeCore<S, T>::rescan_tombstones() {
  tombstone_candidates_.clear();
  storage().for_each_in_range({{0, 0}, {~0ULL, ~0ULL}},
                             [this](ring::Position, std::string_view key, const Siblings& s) {
                               note_tombstones(key, s);
                             });
}

}  // namespace dynamo
