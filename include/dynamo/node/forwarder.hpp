#pragma once
// Forwarder: client requests this node passes on to a node that coordinates them (a key's home
// replica, or the ring's claimant for a membership change), and the answers it brings back.
// A forward whose target stays silent past the forward timeout, cannot be reached, or refuses
// for too few replicas goes on elsewhere through its `reroute` (chosen by the caller), or fails
// with a timeout when it has none.
//
// It owns the forwards in flight (one InFlight table, one deadline each); it reaches the world
// only through its context (ForwardContext below).
//
// Thread safety: none; its node calls it from one executor.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "dynamo/errc.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo {

template <class C>
concept ForwardContext = requires(C& c, const std::string& node, const wire::Message& message,
                                  std::chrono::milliseconds waited) {
  c.send(node, message);
  c.suspect(node, waited);
};

template <OneShotTimers Timers, ForwardContext Context>
class Forwarder {
 public:
  // The target's answer: its status, and the whole reply (nullptr when none came).
  using OnReply = std::function<void(const wire::Status&, const wire::Message*)>;
  // Takes the request on elsewhere (to the key's next home replica, or this node).
  using Reroute = std::function<void(wire::Message)>;

  Forwarder(Timers& timers, RequestIds& ids, Context& context, std::chrono::milliseconds timeout)
      : context_(context),
        timeout_(timeout),
        forwards_(timers, ids, RequestKind::forward,
                  [this](std::uint64_t id) { failed(id, /*silent=*/true); }) {}

  // Sends `request` (under a new id) to `target`. REQUIRES: the request has a reply type.
  void forward(const std::string& target, wire::Message request, OnReply on_reply,
               Reroute reroute = {}) {
    ForwardOp op;
    op.target = target;
    op.answer = wire::reply_type_of(wire::message_type(request)).value();
    op.on_reply = std::move(on_reply);
    op.reroute = std::move(reroute);
    const std::uint64_t id = forwards_.start(std::move(op), timeout_);
    wire::set_request_id(request, id);
    context_.send(target, request);
    forwards_.at(id).request = std::move(request);
  }

  // A reply `reply` (ClientGetReply, ClientWriteReply or MembershipChangeReply) from `from`:
  // false when it answers no forward in flight of that target and type (late, duplicated or
  // misdirected).
  template <class Reply>
  bool on_reply(const std::string& from, const Reply& reply) {
    ForwardOp* op = forwards_.find(reply.request_id);
    if (op == nullptr || op->target != from || op->answer != Reply::type) return false;
    // The coordinator saw too few replicas and wrote nothing; the next may see more.
    if (wire::to_error_code(reply.status) == errc::unavailable && op->reroute) {
      failed(reply.request_id, /*silent=*/false);
      return true;
    }
    std::optional<ForwardOp> taken = forwards_.take(reply.request_id);
    const wire::Message whole(reply);
    taken->on_reply(reply.status, &whole);
    return true;
  }

  // The transport could not deliver to `peer`: the forwards to it go on without waiting for
  // their deadlines.
  void on_unreachable(const std::string& peer) {
    for (const std::uint64_t id :
         forwards_.ids_if([&](const ForwardOp& op) { return op.target == peer; })) {
      failed(id, /*silent=*/true);
    }
  }

  // Fails every forward with `ec` (shutdown); none is rerouted.
  void fail_all(std::error_code ec) {
    const wire::Status status{static_cast<std::uint32_t>(ec.value()), 0, 0};
    for (auto& [id, op] : forwards_.take_all()) op.on_reply(status, nullptr);
  }

  std::size_t size() const { return forwards_.size(); }
  template <class Live>
  void check_invariants(Live live) const {
    forwards_.check_invariants("forward", live);
  }

 private:
  struct ForwardOp {
    std::string target;
    wire::MessageType answer = wire::MessageType::error;  // the reply type the request asks for
    wire::Message request;  // kept so it can be sent on elsewhere
    OnReply on_reply;
    Reroute reroute;  // empty: the request fails with a timeout
  };

  // The target did not answer in time or cannot be reached (then `silent`, and it is
  // suspected), or refused for too few replicas.
  void failed(std::uint64_t id, bool silent) {
    std::optional<ForwardOp> op = forwards_.take(id);
    if (!op) return;
    if (silent) context_.suspect(op->target, timeout_);
    if (op->reroute) return op->reroute(std::move(op->request));
    op->on_reply(wire::Status{static_cast<std::uint32_t>(errc::timeout), 0, 0}, nullptr);
  }

  Context& context_;
  std::chrono::milliseconds timeout_;
  InFlight<Timers, ForwardOp> forwards_;
};

}  // namespace dynamo
