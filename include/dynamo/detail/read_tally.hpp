#pragma once
// The tally of one quorum read, kept the same way by a coordinating node (NodeCore) and by a
// client that coordinates its own reads (ClientCore): which replicas were asked, what each
// answered, whether R have, and their sibling sets merged. Each answer is merged once, as it
// arrives, so the reply to the caller and the read repair after it share one merged set. It only
// counts; asking, timers and repairs stay with its owner (sans-I/O).

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamo/core/siblings.hpp"
#include "dynamo/quorum/request_options.hpp"

namespace dynamo::detail {

class ReadTally {
 public:
  ReadTally() = default;
  ReadTally(std::uint32_t required, bool strict) : report_{0, required, strict} {}

  // A replica the read has asked; `primary` when it is one of the key's home replicas (a strict
  // read counts only those).
  void asked(std::string node, bool primary) {
    replicas_.push_back(Replica{std::move(node), primary});
  }
  bool has_asked(std::string_view node) const { return find(node) != replicas_.end(); }
  // Whether `node` was asked and has not answered yet.
  bool awaits(std::string_view node) const {
    const auto it = find(node);
    return it != replicas_.end() && !it->answered;
  }

  // Records `from`'s answer; false when `from` was not asked or has answered already. Only the
  // merged set is kept: a replica that agreed with it (the common case) costs no copy, and a
  // replica is known to be up to date while the merged set has not changed since it answered.
  bool record(std::string_view from, Siblings siblings) {
    const auto it = find(from);
    if (it == replicas_.end() || it->answered) return false;
    it->answered = true;
    if (answers_++ == 0) {
      merged_ = std::move(siblings);
      it->current = true;
    } else if (siblings == merged_) {
      it->current = true;
    } else {
      if (merged_.merge(siblings)) ++changes_;
      it->current = siblings == merged_;
    }
    it->changes_seen = changes_;
    if (!report_.strict || it->primary) ++report_.replied;
    return true;
  }

  bool reached() const { return report_.replied >= report_.required; }
  bool all_answered() const { return answers_ == replicas_.size(); }
  bool none_answered() const { return answers_ == 0; }
  bool none_asked() const { return replicas_.empty(); }
  const QuorumReport& report() const { return report_; }
  // Every answer so far, merged.
  const Siblings& merged() const { return merged_; }

  // f(node) for each asked replica that has not answered.
  template <class F>
  void for_each_silent(F&& f) const {
    for (const Replica& r : replicas_) {
      if (!r.answered) f(r.node);
    }
  }
  // f(node) for each home replica that answered with less than the merged set: where read
  // repair writes.
  template <class F>
  void for_each_stale_primary(F&& f) const {
    for (const Replica& r : replicas_) {
      if (r.answered && r.primary && !(r.current && r.changes_seen == changes_)) f(r.node);
    }
  }

 private:
  struct Replica {
    std::string node;
    bool primary = false;
    bool answered = false;
    bool current = false;          // it answered with the merged set as it was then
    std::size_t changes_seen = 0;  // changes_ when it answered
  };

  std::vector<Replica>::iterator find(std::string_view node) {
    return std::ranges::find(replicas_, node, &Replica::node);
  }
  std::vector<Replica>::const_iterator find(std::string_view node) const {
    return std::ranges::find(replicas_, node, &Replica::node);
  }

  std::vector<Replica> replicas_;
  Siblings merged_;
  std::size_t answers_ = 0;
  std::size_t changes_ = 0;  // times a later answer added to merged_
  QuorumReport report_;
};

}  // namespace dynamo::detail
