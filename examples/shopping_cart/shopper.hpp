#pragma once
// The pieces of the shopping-cart demo that deal with one shopper's calls: the world the demo
// runs in (DemoWorld), waiting for a call in a way that works for simulated and real time
// alike (Call, Timeline), and a shopper that reads and writes a cart with retries (Shopper).
// demo.hpp tells the story with them.

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <dynamo/errc.hpp>
#include <dynamo/quorum/request_options.hpp>

#include "shopping_cart/cart.hpp"

namespace shopping_cart {

// What the demo needs from the world it runs in. Only run_for, kill_node and restart_node are
// required.
struct DemoWorld {
  // Lets `span` of time pass while the clients' completion handlers run: the simulator's
  // run_for, or io_context::run_for (or a sleep while other threads run the io_context).
  std::function<void(std::chrono::milliseconds)> run_for;
  // Stops one node of the cluster, ideally a home replica of the key, and returns its name.
  std::function<std::string()> kill_node;
  // Starts that node again.
  std::function<void()> restart_node;
  // Optional: one line on the cluster worth showing after writes, e.g. "hints waiting: 1".
  std::function<std::string()> status;
  std::ostream* out = &std::cout;
  std::string key = "cart:42";
  // Part of every writer id, so tags stay unique when the demo runs twice against one cluster.
  std::string session = "1";
  // How long one call may take before the demo counts it as lost.
  std::chrono::milliseconds call_limit{std::chrono::seconds(15)};
  // How much time passes per run_for while the demo waits for a call.
  std::chrono::milliseconds poll_step{10};
};

namespace demo_detail {

// The demo's own notion of elapsed time: the sum of the spans it let pass. Only the demo's
// thread touches it.
struct Timeline {
  const DemoWorld& world;
  std::chrono::milliseconds now{0};

  void pass(std::chrono::milliseconds span) {
    world.run_for(span);
    now += span;
  }
};

// One asynchronous call's outcome. The completion handler may run on another thread, or after
// the demo stopped waiting, so the outcome lives in shared, locked state.
template <class Result>
class Call {
 public:
  struct Outcome {
    std::error_code ec;
    Result result;
    std::chrono::milliseconds took{0};  // from the call's start until the demo saw it complete
  };

  explicit Call(const Timeline& timeline) : started_(timeline.now) {}

  auto handler() {
    return [state = state_](std::error_code ec, Result result) {
      const std::lock_guard lock(state->mutex);
      state->outcome = Outcome{ec, std::move(result), {}};
    };
  }

  // Lets time pass until the call completes; a call that outlives world.call_limit is lost.
  Outcome wait(Timeline& timeline) {
    while (true) {
      const std::chrono::milliseconds took = timeline.now - started_;
      {
        const std::lock_guard lock(state_->mutex);
        if (state_->outcome) {
          state_->outcome->took = took;
          return std::move(*state_->outcome);
        }
      }
      if (took >= timeline.world.call_limit) return {dynamo::errc::timeout, {}, took};
      timeline.pass(timeline.world.poll_step);
    }
  }

 private:
  struct State {
    std::mutex mutex;
    std::optional<Outcome> outcome;
  };
  std::chrono::milliseconds started_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

inline std::string show(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + items[i];
  return out + "]";
}

// What a shopper read: the merged cart, and the context that lets a write supersede it.
struct Snapshot {
  Cart cart;
  dynamo::Context context;
  std::size_t versions = 0;  // siblings the read returned, before CartMerge merged them
};

// One shopper: a name, a way to reach the cluster, and a tag counter. Reads and writes retry a
// few times, as a real client would; retrying a write is safe because the cart it carries has
// the same tags, and adding a tag twice is adding it once.
template <class Front>
class Shopper {
 public:
  Shopper(std::string name, Front& front, Timeline& timeline)
      : name_(std::move(name)), front_(front), timeline_(timeline) {}

  const std::string& name() const { return name_; }
  Tag next_tag() { return {name_ + "/" + timeline_.world.session, ++counter_}; }

  // start_* sends a request and returns at once, so two shoppers can have calls in flight
  // together; finish_* waits for it and retries a failed call up to `attempts` times.
  Call<dynamo::GetResult> start_read() {
    Call<dynamo::GetResult> call(timeline_);
    front_.async_get(timeline_.world.key, call.handler());
    return call;
  }

  std::optional<Snapshot> finish_read(Call<dynamo::GetResult> call) {
    for (int attempt = 1;; ++attempt) {
      auto got = call.wait(timeline_);
      explain_wait("read", got.took);
      if (!got.ec) return snapshot_of(got.result);
      if (attempt == attempts) return std::nullopt;
      say(name_ + "'s read failed (" + got.ec.message() + "); trying again");
      call = start_read();
    }
  }

  Call<dynamo::WriteResult> start_write(const Snapshot& base, const Cart& cart) {
    Call<dynamo::WriteResult> call(timeline_);
    front_.async_put(timeline_.world.key, base.context, cart.encode(), call.handler());
    return call;
  }

  bool finish_write(Call<dynamo::WriteResult> call, const Snapshot& base, const Cart& cart) {
    for (int attempt = 1;; ++attempt) {
      auto wrote = call.wait(timeline_);
      explain_wait("write", wrote.took);
      if (!wrote.ec) {
        std::ostringstream quorum;
        quorum << wrote.result.quorum;
        say(name_ + "'s write is stored: " + quorum.str() + " acknowledged");
        return true;
      }
      if (attempt == attempts) return false;
      say(name_ + "'s write failed (" + wrote.ec.message() +
          "); retrying with the same cart: same tags, so a duplicate is harmless");
      call = start_write(base, cart);
    }
  }

 private:
  static constexpr int attempts = 4;

  static std::optional<Snapshot> snapshot_of(const dynamo::GetResult& got) {
    Snapshot snapshot{{}, got.context, got.siblings.size()};
    if (got.values.empty()) return snapshot;  // no cart yet: start from an empty one
    auto cart = Cart::decode(got.values.front());
    if (!cart) return std::nullopt;
    snapshot.cart = std::move(*cart);
    return snapshot;
  }

  void explain_wait(const char* what, std::chrono::milliseconds took) const {
    if (took < std::chrono::milliseconds(500)) return;
    say("(" + name_ + "'s " + what + " took " + std::to_string(took.count()) +
        " ms: the first node asked did not answer; after a timeout the client asked another)");
  }

  void say(const std::string& line) const { *timeline_.world.out << "    " << line << "\n"; }

  std::string name_;
  Front& front_;
  Timeline& timeline_;
  std::uint64_t counter_ = 0;
};

}  // namespace demo_detail

}  // namespace shopping_cart
