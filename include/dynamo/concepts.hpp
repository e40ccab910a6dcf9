#pragma once
// The three policies a Node is built from. Each concept lists what the protocol core calls and
// the comment above it says what the call must guarantee; a type that compiles against the
// concept but breaks a guarantee breaks the protocol. This header includes neither Asio nor
// OpenSSL, so naming a policy type stays cheap.

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/core/bytes.hpp"
#include "dynamo/core/siblings.hpp"
#include "dynamo/ring/position.hpp"

namespace dynamo {

// Called for each stored key by Storage::for_each_in_range.
using RangeVisitor = std::function<void(ring::Position, std::string_view key, const Siblings&)>;
// Called for each hint by Storage::for_each_hint.
using HintVisitor =
    std::function<void(std::string_view owner, std::string_view key, const Siblings&)>;

// Storage keeps the sibling set of each key a node holds. The caller always passes the key's ring
// position with the key (it has hashed the key already to route the request), so a storage can
// order keys by position and list a key range without knowing the hash function.
//
//   s.get(pos, key)             The sibling set last put for key, or nullopt if none. Never an
//                               empty set: put() of an empty set is an erase.
//   s.put(pos, key, siblings)   Replaces the key's sibling set. When it returns, a get() sees it;
//                               what survives a crash is the storage's documented durability.
//   s.erase(pos, key)           Removes the key; true if it was there.
//   s.for_each_in_range(r, f)   Calls f(pos, key, siblings) for every key with r.first <= pos <=
//                               r.last, in ascending (pos, key) order. f must not modify s.
//   s.size()                    Number of keys stored.
//
// Hints are writes a node took for another node (the owner) that was unreachable: the sloppy
// quorum's hinted handoff. They are kept apart from the node's own keys, per (owner, key), with
// the same durability as keys, so a hint survives a restart wherever the keys do.
//   s.get_hint(owner, key)      The hinted sibling set for owner's key, or nullopt.
//   s.put_hint(owner, key, s)   Replaces it; an empty set erases it.
//   s.erase_hint(owner, key)    Removes it; true if it was there.
//   s.for_each_hint(f)          Calls f(owner, key, siblings) for every hint, in (owner, key)
//                               order. f must not modify s.
//   s.hint_count()              Number of hints stored.
//
// Metadata is what a node must remember about itself across restarts (tokens, membership
// generation), a few small named values with the same durability as keys.
//   s.get_meta(name)            The value stored under name, or nullopt.
//   s.put_meta(name, value)     Replaces it; nullopt erases it.
// Thread safety: the node calls a storage from one executor only; no locking is required.
template <class S>
concept Storage = requires(S& s, const S& cs, ring::Position pos, std::string_view key,
                           Siblings siblings, ring::PositionRange range,
                           const RangeVisitor& visit, const HintVisitor& visit_hint) {
  { cs.get(pos, key) } -> std::same_as<std::optional<Siblings>>;
  { s.put(pos, key, std::move(siblings)) } -> std::same_as<void>;
  { s.erase(pos, key) } -> std::same_as<bool>;
  { cs.for_each_in_range(range, visit) } -> std::same_as<void>;
  { cs.size() } -> std::convertible_to<std::size_t>;
  { cs.get_hint(key, key) } -> std::same_as<std::optional<Siblings>>;
  { s.put_hint(key, key, std::move(siblings)) } -> std::same_as<void>;
  { s.erase_hint(key, key) } -> std::same_as<bool>;
  { cs.for_each_hint(visit_hint) } -> std::same_as<void>;
  { cs.hint_count() } -> std::convertible_to<std::size_t>;
  { cs.get_meta(key) } -> std::same_as<std::optional<std::string>>;
  { s.put_meta(key, std::optional<std::string>{}) } -> std::same_as<void>;
};

// A storage whose writes become durable later than put() returns (group commit) says so, and the
// node then acknowledges a write only once it is durable. Without these members a write counts
// as durable when put() returns.
//   s.write_seq()               Sequence number of the latest change (0 before any).
//   s.durable_seq()             Every change up to this number is durable. May be called from
//                               any thread.
//   s.on_durable(wake)          Installs wake(), called from any thread (the storage's own) each
//                               time durable_seq() advances; an empty function uninstalls it, and
//                               once that call returns wake is not running and never runs again.
template <class S>
concept DeferredDurability = requires(S& s, const S& cs, std::function<void()> wake) {
  { cs.write_seq() } -> std::same_as<std::uint64_t>;
  { cs.durable_seq() } -> std::same_as<std::uint64_t>;
  { s.on_durable(std::move(wake)) } -> std::same_as<void>;
};

// A storage with background work (compaction) does it in bounded steps when the node's timer
// calls maintain(); it returns true while more work is waiting, so the node calls again soon.
template <class S>
concept MaintainedStorage = requires(S& s) {
  { s.maintain() } -> std::same_as<bool>;
};

// Transport is the protocol core's only door to the world: network, time and randomness. Going
// through one seam is what lets a simulator run a whole cluster deterministically from a seed.
//
//   t.send(peer, frame)         Queues one encoded frame for the named peer. Best effort: a frame
//                               may be lost, and the core recovers through timeouts. Never blocks.
//   t.on_receive(handler)       Installs handler(from, frame), called once per frame received.
//   t.schedule(delay, task)     Runs task once after delay on the node's executor; returns an id.
//   t.cancel(id)                Cancels a scheduled task that has not run; no effect otherwise.
//   t.now()                     Monotonic time since an arbitrary origin, for timeouts.
//   t.wall_clock_ms()           Milliseconds since the Unix epoch, for version timestamps only
//                               (it may jump or skew, and nothing depends on it for correctness).
//   t.random()                  A uniformly random 64-bit number.
//   t.post(task)                Runs task soon on the node's executor, unless the transport has
//                               stopped. The one call that may come from any thread: a storage's
//                               flusher uses it to hand durability news back to the node.
//
// Threading: the handlers, tasks and timers above must not run concurrently with each other
// or with the node's operations. A transport on an Asio executor provides that by running them
// on a strand and naming it: t.get_executor() (optional; detail::StrandedTransport), to which
// the Node or Client then posts its operations too. Without it the node's executor must run
// one handler at a time (one thread, or a strand the host gives).
using TimerId = std::uint64_t;
using ReceiveHandler = std::function<void(std::string_view from, std::string_view frame)>;

template <class T>
concept Transport = requires(T& t, const T& ct, std::string_view peer, std::string frame,
                             ReceiveHandler handler, std::chrono::milliseconds delay,
                             std::function<void()> task, TimerId id) {
  { t.send(peer, std::move(frame)) } -> std::same_as<void>;
  { t.on_receive(std::move(handler)) } -> std::same_as<void>;
  { t.schedule(delay, std::move(task)) } -> std::same_as<TimerId>;
  { t.cancel(id) } -> std::same_as<void>;
  { ct.now() } -> std::same_as<std::chrono::milliseconds>;
  { ct.wall_clock_ms() } -> std::same_as<std::uint64_t>;
  { t.random() } -> std::same_as<std::uint64_t>;
  { t.post(std::move(task)) } -> std::same_as<void>;
};

// A transport whose clock is finer than now() gives it for latency metrics: t.now_us(), the same
// monotonic clock to the microsecond. Optional: without it (SimTransport, whose time is virtual
// and moves in milliseconds) latencies are measured with now().
template <class T>
concept FineClock = requires(const T& t) {
  { t.now_us() } -> std::same_as<std::chrono::microseconds>;
};

// A transport that dials peers by address (TcpTransport, TlsTransport) learns the addresses of
// nodes that join from the ring: add_peer(name, address) adds or changes one. Optional: a
// transport without it (SimTransport) reaches every peer by name alone.
template <class T>
concept PeerDirectory = requires(T& t, std::string name, std::string address) {
  { t.add_peer(std::move(name), std::move(address)) } -> std::same_as<void>;
};

// A transport that can tell that frames for a peer were dropped because the peer could not be
// reached (a refused or failed dial, a connection that broke, a peer it is backing off from)
// reports it: handler(peer) runs on the executor, never from inside send(). A hint, not a
// verdict: the peer may be back a moment later. The core uses it to try another node at once
// instead of waiting out a timeout. Optional: without it, timeouts alone pass a peer over.
using UnreachableHandler = std::function<void(std::string_view peer)>;
template <class T>
concept ReportsUnreachable = requires(T& t, UnreachableHandler handler) {
  { t.on_unreachable(std::move(handler)) } -> std::same_as<void>;
};

// A transport that can tell whether a timer is still due (scheduled, neither cancelled nor run)
// offers t.scheduled(id). Optional: the cores' check_invariants() use it, where offered
// (SimTransport), to check that every operation in flight holds a live timeout; without it they
// check only that one was set.
template <class T>
concept InspectableTimers = requires(const T& t, TimerId id) {
  { t.scheduled(id) } -> std::same_as<bool>;
};

// ConflictResolver turns the siblings of a read into the values handed to the caller.
//
//   R::name()                   A stable name. Peers compare names at handshake, as LevelDB
//                               checks its comparator's name, so two nodes with different merge
//                               logic for the same data refuse to talk instead of corrupting it.
//   r.resolve(versions)         Given every version (tombstones included, sorted by dot), the
//                               values to return: none means "not found", one means resolved,
//                               several are siblings for the caller. It must be deterministic
//                               and must not depend on anything but its argument.
// What a resolver may and may not do: it runs on the Node's (or Client's) executor, once per
// successful get, after the quorum answered and before the caller's completion handler. It may
// throw: that get alone then completes with errc::resolver_failed (its GetResult still holds
// the siblings and a context for them, with no values), the node or client logs what was
// thrown, and every other request, connection and timer goes on. It must not block (it holds up
// every request of that executor meanwhile), must not call the Node or Client that runs it, and
// must not keep references to `versions` past the call.
template <class R>
concept ConflictResolver = requires(const R& r, std::span<const Versioned> versions) {
  { R::name() } -> std::convertible_to<std::string_view>;
  { r.resolve(versions) } -> std::same_as<std::vector<Value>>;
};

}  // namespace dynamo
