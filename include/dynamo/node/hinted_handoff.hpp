#pragma once
// HintedHandoff: the hints this node keeps for home replicas that could not take a write (the
// paper's section 4.6) are offered to their owners as ordinary replica writes, a bounded batch
// per round, until each owner acknowledges. A hint is deleted only if nothing was added to it
// since it was offered; a hint whose owner is no longer a replica of its key goes to the key's
// replicas instead (the context's relocate, range transfer's job).
//
// It owns the deliveries in flight (one InFlight table) and the per-owner tally it logs once a
// round; it reaches the world only through its context (HandoffContext below).
//
// Thread safety: none; its node calls it from one executor.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamo/core/siblings.hpp"
#include "dynamo/detail/invariant.hpp"
#include "dynamo/log_record.hpp"
#include "dynamo/node/in_flight.hpp"
#include "dynamo/wire/messages.hpp"

namespace dynamo {

template <class C>
concept HandoffContext = requires(C& c, const C& cc, const std::string& owner,
                                  std::string_view key, const Siblings& siblings,
                                  const wire::Message& message, std::chrono::milliseconds waited,
                                  std::function<void(std::string_view, std::string_view,
                                                     const Siblings&)> visit) {
  cc.for_each_hint(visit);  // every hint kept: (owner, key, siblings)
  { cc.get_hint(owner, key) } -> std::same_as<std::optional<Siblings>>;
  c.erase_hint(owner, key);
  // Whether `owner` is still a home replica of `key` (in the current or the next layout).
  { cc.rightful_owner(owner, key) } -> std::same_as<bool>;
  // Hands a hint whose owner no longer replicates its key to the key's replicas, unless it is
  // being handed already (then relocating() is true).
  { cc.relocating(owner, key) } -> std::same_as<bool>;
  c.relocate(owner, key, siblings);
  { cc.usable(owner) } -> std::same_as<bool>;
  c.send(owner, message);
  c.suspect(owner, waited);
  c.delivered();  // a hint was delivered and deleted (a metric)
  c.log(LogLevel::info, std::string_view{}, std::string{}, std::vector<LogField>{});
};

template <OneShotTimers Timers, HandoffContext Context>
class HintedHandoff {
 public:
  struct Settings {
    bool enabled = true;
    std::size_t batch = 128;  // deliveries and relocations started per round, at most
    std::chrono::milliseconds timeout{1000};
  };

  HintedHandoff(Timers& timers, RequestIds& ids, Context& context, Settings settings)
      : context_(context),
        settings_(settings),
        replays_(timers, ids, RequestKind::hint_delivery,
                 [this](std::uint64_t id) { expired(id); }) {}

  // One round: logs what was delivered since the last, then offers up to `batch` hints to their
  // usable owners. An owner that let an offer time out is suspected and left alone while it is;
  // once the suspicion lapses the next offer probes it again.
  void run() {
    // One log line per owner and round, not one per key: a returning node may get thousands.
    for (const auto& [owner, keys] : delivered_) {
      context_.log(LogLevel::info, "hints_delivered",
                   "delivered hints to " + owner + ": " + std::to_string(keys) + " key(s)",
                   {{"peer", owner}, {"keys", std::to_string(keys)}});
    }
    delivered_.clear();
    if (!settings_.enabled) return;
    std::vector<Delivery> batch;
    std::vector<Delivery> orphans;  // hints whose owner is no longer a replica of the key
    context_.for_each_hint([&](std::string_view owner, std::string_view key, const Siblings& s) {
      if (batch.size() + orphans.size() + replays_.size() >= settings_.batch) return;
      const std::string who(owner);
      if (replaying_.contains({who, std::string(key)})) return;
      if (!context_.rightful_owner(who, key)) {
        if (!context_.relocating(who, key)) orphans.push_back(Delivery{who, Key(key), s});
        return;
      }
      if (!context_.usable(who)) return;
      batch.push_back(Delivery{who, Key(key), s});
    });
    for (const Delivery& orphan : orphans) context_.relocate(orphan.owner, orphan.key, orphan.sent);
    for (Delivery& delivery : batch) {
      replaying_.insert({delivery.owner, delivery.key});
      const std::string owner = delivery.owner;
      const Key key = delivery.key;
      const std::uint64_t id = replays_.start(std::move(delivery), settings_.timeout);
      context_.send(owner, wire::ReplicaWrite{id, key, replays_.at(id).sent});
    }
  }

  // `from` acknowledged delivery `id`: false when that matches no delivery to it in flight.
  bool on_ack(std::uint64_t id, const std::string& from, const wire::Status& status) {
    const Delivery* in_flight = replays_.find(id);
    if (in_flight == nullptr || in_flight->owner != from) return false;
    Delivery delivery = std::move(*replays_.take(id));
    replaying_.erase({delivery.owner, delivery.key});
    if (!status.ok()) return true;
    if (context_.get_hint(delivery.owner, delivery.key) == delivery.sent) {
      context_.erase_hint(delivery.owner, delivery.key);
      ++delivered_[delivery.owner];
      context_.delivered();
    }
    return true;
  }

  // Drops every delivery in flight (the hints stay kept).
  void clear() {
    replays_.clear();
    replaying_.clear();
  }
  std::size_t size() const { return replays_.size(); }

  // Every delivery has a live deadline, and `replaying_` holds exactly the (owner, key) of the
  // deliveries in flight (so a hint is never offered twice at once, and none is skipped for
  // good).
  template <class Live>
  void check_invariants(Live live) const {
    replays_.check_invariants("hint delivery", live);
    replays_.for_each([&](std::uint64_t id, const Delivery& d) {
      if (!replaying_.contains({d.owner, d.key})) {
        detail::invariant_violated("hinted handoff", "replaying_ lists every hint delivery",
                                   std::to_string(id) + " of " + d.key + " for " + d.owner);
      }
    });
    if (replaying_.size() != replays_.size()) {
      detail::invariant_violated("hinted handoff", "replaying_ lists only hint deliveries in flight",
                                 std::to_string(replaying_.size()) + " entries, " +
                                     std::to_string(replays_.size()) + " deliveries");
    }
  }

 private:
  struct Delivery {
    std::string owner;
    Key key;
    Siblings sent;
  };
  void expired(std::uint64_t id) {
    Delivery delivery = std::move(*replays_.take(id));
    context_.suspect(delivery.owner, settings_.timeout);
    replaying_.erase({delivery.owner, delivery.key});
  }

  Context& context_;
  Settings settings_;
  InFlight<Timers, Delivery> replays_;
  std::set<std::pair<std::string, Key>> replaying_;
  std::map<std::string, std::uint64_t> delivered_;  // hints delivered since the last log line
};

}  // namespace dynamo
