#pragma once
// SimTransport: a node's Transport inside a Simulator. It is a handle: the simulator keeps the
// endpoint. Destroying the transport (with its node) detaches the endpoint, which is how a
// simulated crash loses everything in flight to that node.

#include <string>
#include <utility>

#include "dynamo/testing/simulator.hpp"

namespace dynamo::testing {

class SimTransport {
 public:
  SimTransport(Simulator& sim, std::string name) : sim_(&sim), name_(std::move(name)) {}
  SimTransport(SimTransport&& other) noexcept
      : sim_(std::exchange(other.sim_, nullptr)), name_(std::move(other.name_)),
        incarnation_(std::exchange(other.incarnation_, 0)) {}
  SimTransport& operator=(SimTransport&&) = delete;
  SimTransport(const SimTransport&) = delete;
  ~SimTransport() {
    if (sim_ && incarnation_) sim_->detach(name_, incarnation_);
  }

  const std::string& name() const { return name_; }

  void send(std::string_view peer, std::string frame) { sim_->send(name_, peer, std::move(frame)); }
  void on_receive(ReceiveHandler handler) { incarnation_ = sim_->attach(name_, std::move(handler)); }
  // Call after on_receive: reports frames sent to a crashed endpoint (Simulator::on_unreachable).
  void on_unreachable(UnreachableHandler handler) { sim_->on_unreachable(name_, std::move(handler)); }
  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> task) {
    return sim_->schedule(name_, delay, std::move(task));
  }
  void cancel(TimerId id) { sim_->cancel(id); }
  bool scheduled(TimerId id) const { return sim_->scheduled(id); }
  std::chrono::milliseconds now() const { return sim_->now(); }
  std::uint64_t wall_clock_ms() const { return sim_->wall_clock_ms(name_); }
  std::uint64_t random() { return sim_->random(); }
  // The simulator is single-threaded: unlike the TCP transports, this post is for its own thread.
  void post(std::function<void()> task) { schedule(std::chrono::milliseconds(0), std::move(task)); }

 private:
  Simulator* sim_;
  std::string name_;
  std::uint64_t incarnation_ = 0;
};

static_assert(Transport<SimTransport>);
static_assert(ReportsUnreachable<SimTransport>);
static_assert(InspectableTimers<SimTransport>);

}  // namespace dynamo::testing
