#include "dynamo/membership/ring_view.hpp"

#include <algorithm>
#include <system_error>


namespace dynamo::membership {
namespace {

std::vector<std::string> primary_names(const ring::Ring& ring, std::uint32_t partition) {
  std::vector<std::string> names;
  for (const ring::NodeIndex i : ring.primaries(partition)) names.push_back(ring.member(i).name);
  return names;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::ranges::find(names, name) != names.end();
}

// Each replica `next` adds fetches from the replica it replaces, paired in preference order;
// an added replica with no dropped one to pair with fetches from the current replicas.
std::vector<Transfer> plan_transfers(const ring::Ring& current, const ring::Ring& next) {
  std::vector<Transfer> out;
  for (std::uint32_t p = 0; p < current.params().partitions; ++p) {
    const std::vector<std::string> now = primary_names(current, p);
    const std::vector<std::string> then = primary_names(next, p);
    std::vector<std::string> dropped;
    for (const std::string& n : now) {
      if (!has(then, n)) dropped.push_back(n);
    }
    std::size_t pair = 0;
    for (const std::string& n : then) {
      if (has(now, n)) continue;
      Transfer t{p, n, {}};
      if (pair < dropped.size()) t.sources.push_back(dropped[pair++]);
      for (const std::string& source : now) {
        if (!has(t.sources, source)) t.sources.push_back(source);
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

bool in_layout(const std::vector<ring::Member>& layout, std::string_view name) {
  return std::ranges::any_of(layout, [&](const ring::Member& m) { return m.name == name; });
}

}  // namespace

RingView::RingView(const ring::RingParams& params, std::uint32_t replicas)
    : current_(ring::Ring::empty(params, replicas)) {}

RingView::RingView(RingState state, ring::Ring current, std::optional<ring::Ring> next)
    : state_(std::move(state)), current_(std::move(current)), next_(std::move(next)) {
  for (const ring::Member& m : state_.current) names_.push_back(m.name);
  for (const ring::Member& m : state_.next) {
    if (!has(names_, m.name)) names_.push_back(m.name);
  }
  std::ranges::sort(names_);
  if (next_) transfers_ = plan_transfers(current_, *next_);
}

std::optional<RingView> RingView::build(const ring::RingParams& params, std::uint32_t replicas,
                                        RingState state, std::string& why) {
  if (state.epoch == 0) {
    why = "the ring has epoch 0";
    return std::nullopt;
  }
  std::error_code ec;
  auto current = ring::Ring::build(params, replicas, state.current, ec);
  if (!current) {
    why = "its current layout is not a valid assignment of the partitions";
    return std::nullopt;
  }
  std::optional<ring::Ring> next;
  if (!state.next.empty()) {
    next = ring::Ring::build(params, replicas, state.next, ec);
    if (!next) {
      why = "its next layout is not a valid assignment of the partitions";
      return std::nullopt;
    }
  }
  std::ranges::sort(state.addresses, {}, &MemberAddress::name);
  const auto twice = std::ranges::adjacent_find(state.addresses, {}, &MemberAddress::name);
  if (twice != state.addresses.end()) {
    why = "it gives " + twice->name + " two addresses";
    return std::nullopt;
  }
  // The layouts as the Rings sorted them, so equal documents compare equal whatever the order
  // their sender listed members in.
  state.current.assign(current->members().begin(), current->members().end());
  if (next) state.next.assign(next->members().begin(), next->members().end());
  return RingView(std::move(state), std::move(*current), std::move(next));
}

MemberStatus RingView::status_of(std::string_view name) const {
  const bool now = in_layout(state_.current, name);
  const bool then = stable() ? now : in_layout(state_.next, name);
  if (now && then) return MemberStatus::normal;
  if (then) return MemberStatus::joining;
  if (now) return MemberStatus::leaving;
  return MemberStatus::left;
}

bool RingView::contains(std::string_view name) const {
  return std::ranges::binary_search(names_, name, {}, [](const std::string& s) {
    return std::string_view(s);
  });
}

const std::string* RingView::address_of(std::string_view name) const {
  const auto it = std::ranges::lower_bound(state_.addresses, name, {},
                                           [](const MemberAddress& a) {
                                             return std::string_view(a.name);
                                           });
  if (it == state_.addresses.end() || it->name != name) return nullptr;
  return &it->address;
}

const std::string* RingView::claimant() const {
  if (state_.current.empty()) return nullptr;
  return &state_.current.front().name;  // sorted by name in build()
}

bool RingView::replicates_now(std::string_view name, std::uint32_t partition) const {
  return std::ranges::any_of(current_.primaries(partition), [&](ring::NodeIndex i) {
    return current_.member(i).name == name;
  });
}

bool RingView::replicates_next(std::string_view name, std::uint32_t partition) const {
  const ring::Ring& ring = next();
  return std::ranges::any_of(ring.primaries(partition), [&](ring::NodeIndex i) {
    return ring.member(i).name == name;
  });
}

bool RingView::is_destination(std::string_view name) const {
  return std::ranges::any_of(transfers_, [&](const Transfer& t) { return t.destination == name; });
}

}  // namespace dynamo::membership
