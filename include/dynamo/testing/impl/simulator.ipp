#pragma once

#include <cassert>
#include <stdexcept>
#include <tuple>

namespace dynamo::testing {

inline std::uint64_t Simulator::attach(const std::string& name, ReceiveHandler handler) {
  Endpoint& e = endpoints_[name];
  if (e.up) {
    throw std::logic_error("dynamo::testing::Simulator: two live endpoints named \"" + name +
                           "\"; an endpoint's name is its address (SimCluster::make_client "
                           "gives each client its own)");
  }
  ++e.incarnation;
  e.up = true;
  e.handler = std::move(handler);
  e.on_unreachable = nullptr;
  e.checkers.clear();
  return e.incarnation;
}

inline void Simulator::on_unreachable(const std::string& name, UnreachableHandler handler) {
  const auto it = endpoints_.find(name);
  if (it != endpoints_.end() && it->second.up) it->second.on_unreachable = std::move(handler);
}

inline void Simulator::detach(const std::string& name, std::uint64_t incarnation) {
  const auto it = endpoints_.find(name);
  if (it == endpoints_.end() || it->second.incarnation != incarnation) return;
  it->second.handler = nullptr;
  it->second.on_unreachable = nullptr;
  it->second.checkers.clear();
  it->second.up = false;
}

inline void Simulator::mark_down(const std::string& name) {
  const auto it = endpoints_.find(name);
  if (it == endpoints_.end() || !it->second.up) return;
  it->second.up = false;
  it->second.handler = nullptr;
  it->second.on_unreachable = nullptr;
  it->second.checkers.clear();
  ++it->second.incarnation;  // whatever is in flight to the old incarnation is lost
  ++faults_.crashes;
}

inline void Simulator::add_checker(const std::string& name, std::function<void()> check) {
  assert(check);
  const auto it = endpoints_.find(name);
  if (it != endpoints_.end() && it->second.up) it->second.checkers.push_back(std::move(check));
}

inline void Simulator::check_invariants(const std::string& name, const Endpoint& endpoint) const {
  if (!endpoint.up || !invariant_checks_) return;
  for (const auto& check : endpoint.checkers) {
    try {
      check();
    } catch (const std::exception& e) {
      throw InvariantViolation("invariant violated (seed " + std::to_string(seed_) + ", event " +
                               std::to_string(events_run_) + " at " + std::to_string(now_.count()) +
                               " ms, endpoint \"" + name + "\"): " + e.what());
    }
  }
}

inline void Simulator::check_invariants() const {
  for (const auto& [name, endpoint] : endpoints_) check_invariants(name, endpoint);
}

inline bool Simulator::is_up(const std::string& name) const {
  const auto it = endpoints_.find(name);
  return it != endpoints_.end() && it->second.up;
}

inline void Simulator::set_clock_skew(const std::string& name, milliseconds skew) {
  endpoints_[name].skew = skew;
  ++faults_.skews;
}

inline std::uint64_t Simulator::wall_clock_ms(const std::string& name) const {
  const auto it = endpoints_.find(name);
  const milliseconds skew = it == endpoints_.end() ? milliseconds{0} : it->second.skew;
  const auto t = static_cast<std::int64_t>(epoch_ms) + now_.count() + skew.count();
  return t < 0 ? 0 : static_cast<std::uint64_t>(t);
}

inline void Simulator::partition(const std::vector<std::set<std::string>>& groups) {
  group_of_.clear();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (const std::string& name : groups[g]) group_of_[name] = static_cast<int>(g) + 1;
  }
  ++faults_.partitions;
}

inline bool Simulator::partitioned(std::string_view a, std::string_view b) const {
  if (group_of_.empty()) return false;
  const auto group = [&](std::string_view n) {
    const auto it = group_of_.find(n);
    return it == group_of_.end() ? 0 : it->second;
  };
  return group(a) != group(b);
}

inline void Simulator::push(milliseconds at, std::function<void()> run) {
  events_.push(Event{at, next_seq_++, std::move(run)});
}

inline void Simulator::mix(std::string_view bytes) {
  for (unsigned char c : bytes) {
    trace_ ^= c;
    trace_ *= 1099511628211ULL;  // FNV-1a prime
  }
}

inline void Simulator::mix(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    trace_ ^= (v >> (8 * i)) & 0xff;
    trace_ *= 1099511628211ULL;
  }
}

inline void Simulator::print(std::string_view what, std::string_view from, std::string_view to,
                             std::string_view frame) const {
  if (!print_) return;
  const unsigned type = frame.size() > 3 ? static_cast<unsigned char>(frame[3]) : 0;
  *print_ << now_.count() << "ms " << what << ' ' << from << " -> " << to << " type 0x" << std::hex
          << type << std::dec << ' ' << frame.size() << " bytes\n";
}

inline void Simulator::send(const std::string& from, std::string_view to, std::string frame) {
  mix(static_cast<std::uint64_t>(now_.count()));
  mix(from);
  mix(to);
  mix(frame);
  print("send", from, to, frame);
  bytes_sent_ += frame.size();
  if (frame.size() > 3) ++frames_sent_[static_cast<std::uint8_t>(frame[3])];
  const auto target = endpoints_.find(to);
  if (!is_up(from) || target == endpoints_.end() || !target->second.up) {
    ++faults_.to_down_node;
    if (is_up(from) && target != endpoints_.end() && !partitioned(from, to)) {
      refuse(from, std::string(to));
    }
    return;
  }
  if (partitioned(from, to)) {
    ++faults_.partitioned;
    return;
  }
  if (chance(network_.drop)) {
    ++faults_.dropped;
    return;
  }
  const int copies = chance(network_.duplicate) ? 2 : 1;
  faults_.duplicated += copies - 1;
  const std::uint64_t send_seq = next_send_++;
  for (int i = 0; i < copies; ++i) {
    push(now_ + latency(), [this, from, to = std::string(to), inc = target->second.incarnation,
                            send_seq, frame] { deliver(from, to, inc, send_seq, frame); });
  }
}

inline milliseconds Simulator::latency() {
  const auto span = (network_.max_latency - network_.min_latency).count();
  return network_.min_latency + milliseconds(static_cast<std::int64_t>(uniform(span + 1)));
}

// The crashed endpoint's host answers for it: the sender hears of the refusal after a latency,
// if it is still the incarnation that sent.
inline void Simulator::refuse(const std::string& from, const std::string& to) {
  const std::uint64_t incarnation = endpoints_.at(from).incarnation;
  push(now_ + latency(), [this, from, to, incarnation] {
    const auto e = endpoints_.find(from);
    if (e == endpoints_.end() || !e->second.up || e->second.incarnation != incarnation ||
        !e->second.on_unreachable) {
      return;
    }
    mix(from);
    mix(to);
    entering(e->first, e->second);
    const UnreachableHandler handler = e->second.on_unreachable;
    handler(to);
  });
}

inline void Simulator::deliver(const std::string& from, const std::string& to,
                               std::uint64_t incarnation, std::uint64_t send_seq,
                               const std::string& frame) {
  const auto it = endpoints_.find(to);
  if (it == endpoints_.end() || !it->second.up || it->second.incarnation != incarnation) {
    ++faults_.to_down_node;
    return;
  }
  std::uint64_t& last = last_delivered_[{from, to}];
  if (send_seq + 1 < last) ++faults_.reordered;
  last = std::max(last, send_seq + 1);
  mix(from);
  mix(to);
  print("recv", from, to, frame);
  entering(it->first, it->second);
  const ReceiveHandler handler = it->second.handler;  // the handler may destroy its endpoint
  if (handler) handler(from, frame);
}

inline TimerId Simulator::schedule(const std::string& owner, milliseconds delay,
                                   std::function<void()> task) {
  const TimerId id = ++next_timer_;
  due_.push_back(true);  // due_[id]
  const auto it = endpoints_.find(owner);
  const std::uint64_t incarnation = it == endpoints_.end() ? 0 : it->second.incarnation;
  push(now_ + std::max(delay, milliseconds{0}),
       [this, id, owner, incarnation, task = std::move(task)] {
         due_[id] = false;
         if (cancelled_.erase(id) > 0) return;
         const auto e = endpoints_.find(owner);
         if (e == endpoints_.end() || !e->second.up || e->second.incarnation != incarnation) return;
         mix(id);
         entering(e->first, e->second);
         task();
       });
  return id;
}

// Handlers that ran (a front's operations, completions) may have changed a core: check.
inline void Simulator::drain_handlers() {
  io_.restart();
  if (io_.poll() > 0) check_invariants();
}

inline bool Simulator::step(milliseconds horizon) {
  drain_handlers();
  if (events_.empty() || events_.top().at > horizon) return false;
  Event e = events_.top();
  events_.pop();
  now_ = std::max(now_, e.at);
  ++events_run_;
  entered_ = {nullptr, nullptr};
  e.run();
  io_.restart();
  if (io_.poll() > 0) {
    check_invariants();
  } else if (entered_.first) {
    check_invariants(*entered_.first, *entered_.second);
  }
  return true;
}

inline void Simulator::run_for(milliseconds span) {
  const milliseconds horizon = now_ + span;
  while (step(horizon)) {
  }
  now_ = std::max(now_, horizon);
}

inline bool Simulator::run_until(const std::function<bool()>& done, milliseconds limit,
                                 milliseconds check_every) {
  const milliseconds horizon = now_ + limit;
  drain_handlers();
  milliseconds next_check = now_;
  while (true) {
    if (now_ >= next_check) {
      if (done()) return true;
      next_check = now_ + check_every;
    }
    if (!step(horizon)) {
      now_ = std::max(now_, horizon);
      return done();
    }
  }
}

}  // namespace dynamo::testing
