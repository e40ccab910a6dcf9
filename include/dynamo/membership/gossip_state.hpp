#pragma once
// GossipState: what one node knows of every member's heartbeat, and the push-pull merge that
// spreads it. Each entry is (generation, version, status, ring epoch, fetched epoch): a node's
// generation grows with every restart and its version with every heartbeat or change of its own
// state, so the larger pair is always the newer news and merging is idempotent, commutative and
// associative; any gossip order converges.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/membership/member_status.hpp"

namespace dynamo::membership {

class GossipState {
 public:
  GossipState(std::string self, std::uint64_t generation, const std::vector<std::string>& members)
      : self_(std::move(self)) {
    for (const std::string& name : members) table_[name] = {name, 0, 0, 0, 0, 0};
    table_[self_] = {self_, generation, 0, static_cast<std::uint8_t>(MemberStatus::left), 0, 0};
  }

  // A heartbeat of this node: its version advances.
  void beat() { ++table_.at(self_).version; }

  // This node's own state changed: the next heartbeat carries it (the version advances now, so
  // it is news to every peer at once).
  void set_self(MemberStatus status, std::uint64_t ring_epoch, std::uint64_t fetched_epoch) {
    MemberHeartbeat& me = table_.at(self_);
    const auto byte = static_cast<std::uint8_t>(status);
    if (me.status == byte && me.ring_epoch == ring_epoch && me.fetched_epoch == fetched_epoch) {
      return;
    }
    me.status = byte;
    me.ring_epoch = ring_epoch;
    me.fetched_epoch = fetched_epoch;
    ++me.version;
  }

  // The members whose heartbeats are tracked changed (the ring changed): entries of new names
  // start empty, those of names no longer listed are forgotten. This node's own entry stays.
  void set_members(const std::vector<std::string>& members) {
    std::map<std::string, MemberHeartbeat> table;
    for (const std::string& name : members) {
      const auto it = table_.find(name);
      table[name] = it != table_.end() ? it->second : MemberHeartbeat{name, 0, 0, 0, 0, 0};
    }
    table[self_] = table_.at(self_);
    table_ = std::move(table);
  }

  const MemberHeartbeat& self() const { return table_.at(self_); }

  // Every entry, in name order.
  std::vector<MemberHeartbeat> snapshot() const {
    std::vector<MemberHeartbeat> out;
    out.reserve(table_.size());
    for (const auto& [name, entry] : table_) out.push_back(entry);
    return out;
  }

  // Takes every entry newer than ours; returns the names whose state advanced. News about this
  // node itself is never taken (only it may speak for itself), and names not in the member list
  // are ignored (the ring says who the members are; heartbeats only say how they are).
  std::vector<std::string> merge(const std::vector<MemberHeartbeat>& theirs) {
    std::vector<std::string> advanced;
    for (const MemberHeartbeat& e : theirs) {
      if (e.name == self_) continue;
      const auto it = table_.find(e.name);
      if (it == table_.end() || !newer(e, it->second)) continue;
      it->second = e;
      advanced.push_back(e.name);
    }
    return advanced;
  }

  // A node restarted on a lost disk with a clock that went back would announce a generation
  // below the one its peers remember, and its heartbeats would never be news. If `theirs`
  // remembers this node with a heartbeat newer than its own (a larger generation, or its own
  // generation at a later version: an earlier life that read the same clock), it takes a
  // larger generation; returns it then (to be kept in storage), else 0. Its own heartbeat
  // coming back, as every full push carries it, is not news.
  std::uint64_t outgrow(const std::vector<MemberHeartbeat>& theirs) {
    MemberHeartbeat& me = table_.at(self_);
    std::uint64_t highest = 0;
    for (const MemberHeartbeat& e : theirs) {
      if (e.name == self_ && newer(e, me)) highest = std::max(highest, e.generation);
    }
    if (highest == 0) return 0;
    me.generation = highest + 1;
    me.version = 0;
    return me.generation;
  }

  // Our entries that are newer than theirs, or that they did not mention: the pull half.
  std::vector<MemberHeartbeat> newer_than(
      const std::vector<MemberHeartbeat>& theirs) const {
    std::map<std::string_view, const MemberHeartbeat*> seen;
    for (const MemberHeartbeat& e : theirs) seen[e.name] = &e;
    std::vector<MemberHeartbeat> out;
    for (const auto& [name, entry] : table_) {
      if (entry.generation == 0) continue;  // nothing heard yet
      const auto it = seen.find(name);
      if (it == seen.end() || newer(entry, *it->second)) out.push_back(entry);
    }
    return out;
  }

  const MemberHeartbeat* find(std::string_view name) const {
    const auto it = table_.find(std::string(name));
    return it == table_.end() ? nullptr : &it->second;
  }

  static bool newer(const MemberHeartbeat& a, const MemberHeartbeat& b) {
    return a.generation != b.generation ? a.generation > b.generation : a.version > b.version;
  }

 private:
  std::string self_;
  std::map<std::string, MemberHeartbeat> table_;
};

}  // namespace dynamo::membership
