#pragma once
// Simulator: a deterministic world for whole clusters in one thread, in the manner of
// FoundationDB's simulation. It owns virtual time, the one seeded random source, the network
// between named endpoints (latency, loss, duplication, reordering, partitions), node crashes and
// clock skew. Completion handlers run on its io_context, which it drives itself, so the same seed
// replays the same run event for event; trace_hash() fingerprints the run to prove it.
//
// After every event it runs the invariant checks registered for the endpoint whose code the event
// ran (SimCluster registers each node's and client's check_invariants()), as LogCabin's
// Invariants::checkAll() does: a violation is reported by the event that caused it, not by its
// symptom at the end of the run.
//
// Thread safety: none. Everything, including the nodes under test, runs on the calling thread.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <queue>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <asio/io_context.hpp>

#include "dynamo/concepts.hpp"

namespace dynamo::testing {

using std::chrono::milliseconds;

// Per-message network behaviour; latency is uniform in [min, max], so messages reorder freely.
struct NetworkProfile {
  milliseconds min_latency{1};
  milliseconds max_latency{10};
  double drop = 0.0;       // probability a message is lost
  double duplicate = 0.0;  // probability a message is delivered twice
};

// How often each kind of fault happened, so a test can show it exercised them.
struct FaultCounts {
  std::uint64_t dropped = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t reordered = 0;
  std::uint64_t partitioned = 0;  // messages lost to a partition
  std::uint64_t to_down_node = 0; // messages lost because an end was down
  std::uint64_t crashes = 0;
  std::uint64_t restarts = 0;
  std::uint64_t partitions = 0;   // partitions started
  std::uint64_t skews = 0;        // clock skews set

  FaultCounts& operator+=(const FaultCounts& o) {
    dropped += o.dropped;
    duplicated += o.duplicated;
    reordered += o.reordered;
    partitioned += o.partitioned;
    to_down_node += o.to_down_node;
    crashes += o.crashes;
    restarts += o.restarts;
    partitions += o.partitions;
    skews += o.skews;
    return *this;
  }
};

// Thrown out of run_for(), run_until() and drain_handlers() when a registered invariant check
// fails: what() names the seed, the event (its number and virtual time), the endpoint and the
// check's own message.
class InvariantViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class Simulator {
 public:
  // The Unix time at which virtual time starts, so version timestamps look real.
  static constexpr std::uint64_t epoch_ms = 1'700'000'000'000;

  explicit Simulator(std::uint64_t seed) : rng_(seed), seed_(seed) {}
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  std::uint64_t seed() const { return seed_; }
  // Events run so far: deliveries, refusals and timer firings.
  std::uint64_t events_run() const { return events_run_; }
  asio::io_context& io() { return io_; }
  asio::io_context::executor_type executor() { return io_.get_executor(); }
  milliseconds now() const { return now_; }
  std::uint64_t random() { return rng_(); }
  std::mt19937_64& rng() { return rng_; }

  // A number in [0, n), from the simulation's one random source.
  std::uint64_t uniform(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  NetworkProfile& network() { return network_; }
  const FaultCounts& faults() const { return faults_; }

  // Fingerprint of every event so far: sends, deliveries, drops and timer firings with their
  // times, ends and bytes. Equal seeds and equal inputs give equal fingerprints.
  std::uint64_t trace_hash() const { return trace_; }
  // Bytes of every frame handed to send() so far, delivered or not.
  std::uint64_t bytes_sent() const { return bytes_sent_; }
  // Frames of the given type byte (wire::MessageType) handed to send() so far.
  std::uint64_t frames_sent(std::uint8_t type) const { return frames_sent_[type]; }

  // Prints one line per message sent and delivered (time, ends, frame type byte, size) while
  // `out` is set: the first thing to read when a seed fails.
  void print_messages_to(std::ostream* out) { print_ = out; }

  // --- endpoints, used by SimTransport -----------------------------------------------------

  // Registers a live endpoint; returns its incarnation. A crashed endpoint's old incarnation
  // never receives anything again. A name is an address: attaching a second live endpoint under
  // one throws std::logic_error (it would silently take the first one's messages).
  std::uint64_t attach(const std::string& name, ReceiveHandler handler);
  void detach(const std::string& name, std::uint64_t incarnation);
  // Installs the live endpoint's report of peers that refused it: a frame sent to a crashed
  // endpoint (not to one cut off by a partition, whose frames vanish) comes back as
  // handler(peer) one network latency later, as a refused connection does over TCP.
  void on_unreachable(const std::string& name, UnreachableHandler handler);
  void send(const std::string& from, std::string_view to, std::string frame);
  TimerId schedule(const std::string& owner, milliseconds delay, std::function<void()> task);
  void cancel(TimerId id) {
    if (!scheduled(id)) return;
    due_[id] = false;
    cancelled_.insert(id);
  }
  // Whether the timer is still due: scheduled, neither cancelled nor run yet.
  bool scheduled(TimerId id) const { return id < due_.size() && due_[id]; }
  std::uint64_t wall_clock_ms(const std::string& name) const;

  // --- faults ------------------------------------------------------------------------------

  // Splits the named endpoints into groups that cannot reach each other; names not listed form
  // one more group together.
  void partition(const std::vector<std::set<std::string>>& groups);
  void heal() { group_of_.clear(); }
  bool partitioned(std::string_view a, std::string_view b) const;
  // Marks a node down: it sends and receives nothing until it attaches again. The harness
  // destroys the node object itself; see SimCluster.
  void mark_down(const std::string& name);
  bool is_up(const std::string& name) const;
  void set_clock_skew(const std::string& name, milliseconds skew);
  void count_restart() { ++faults_.restarts; }

  // --- invariants --------------------------------------------------------------------------

  // Runs `check` after every event of the endpoint `name` (a delivery to it, its timer, a
  // refusal reported to it: only its own code can change its state) and after every batch of
  // completion handlers (which may call any endpoint's code), while `name` stays up in its
  // current incarnation: it is dropped when the endpoint detaches (its transport is destroyed)
  // or is marked down. `check` reports a violation by
  // throwing a std::exception; the simulator then throws InvariantViolation. REQUIRES: `name`
  // is up (a check registered for an endpoint that is not is never run).
  void add_checker(const std::string& name, std::function<void()> check);
  // Whether registered checks run (default: yes). A benchmark of the protocol's own cost turns
  // them off; a test never should.
  void set_invariant_checks(bool on) { invariant_checks_ = on; }

  // --- running -----------------------------------------------------------------------------

  // Runs every event due within `span` of virtual time, then advances the clock to its end.
  void run_for(milliseconds span);
  // Runs until done() holds or `limit` of virtual time has passed; returns done(). done() is
  // checked after each event, or, given `check_every`, once that much virtual time has passed
  // since its last check: for a costly condition (comparing every replica of every key) that
  // would otherwise dominate the run.
  bool run_until(const std::function<bool()>& done, milliseconds limit,
                 milliseconds check_every = milliseconds{0});
  // Runs completion handlers that are ready now, without advancing time.
  void drain_handlers();

 private:
  struct Endpoint {
    std::uint64_t incarnation = 0;
    bool up = false;
    ReceiveHandler handler;
    UnreachableHandler on_unreachable;
    milliseconds skew{0};
    std::vector<std::function<void()>> checkers;  // of this incarnation
  };
  struct Event {
    milliseconds at;
    std::uint64_t seq;
    std::function<void()> run;
    bool operator>(const Event& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
  };

  void push(milliseconds at, std::function<void()> run);
  milliseconds latency();
  void refuse(const std::string& from, const std::string& to);
  void deliver(const std::string& from, const std::string& to, std::uint64_t incarnation,
               std::uint64_t send_seq, const std::string& frame);
  void mix(std::string_view bytes);
  void print(std::string_view what, std::string_view from, std::string_view to,
             std::string_view frame) const;
  void mix(std::uint64_t v);
  bool step(milliseconds horizon);
  void check_invariants() const;
  void check_invariants(const std::string& name, const Endpoint& endpoint) const;
  void entering(const std::string& name, const Endpoint& endpoint) {
    entered_ = {&name, &endpoint};
  }

  asio::io_context io_;
  std::mt19937_64 rng_;
  std::uint64_t seed_;
  std::uint64_t events_run_ = 0;
  // The endpoint whose code the event being run entered, if any (endpoints are never erased).
  std::pair<const std::string*, const Endpoint*> entered_{nullptr, nullptr};
  milliseconds now_{0};
  std::uint64_t next_seq_ = 0;
  TimerId next_timer_ = 0;
  std::uint64_t next_send_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::set<TimerId> cancelled_;
  // Indexed by TimerId (ids are consecutive from 1): whether each timer is still due. A bit per
  // timer ever scheduled, and the checks look at it after every event, so not a hash set.
  std::vector<bool> due_ = std::vector<bool>(1, false);
  std::map<std::string, Endpoint, std::less<>> endpoints_;
  std::map<std::string, int, std::less<>> group_of_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> last_delivered_;
  NetworkProfile network_;
  FaultCounts faults_;
  bool invariant_checks_ = true;
  std::uint64_t trace_ = 1469598103934665603ULL;  // FNV-1a offset basis
  std::uint64_t bytes_sent_ = 0;
  std::array<std::uint64_t, 256> frames_sent_{};
  std::ostream* print_ = nullptr;
};

}  // namespace dynamo::testing

#include "dynamo/testing/impl/simulator.ipp"
