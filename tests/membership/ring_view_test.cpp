// The ring document: validation, the claimant's planning of joins and leaves, the transfers a
// change implies, and how nodes agree which of two documents is newer.

#include <catch2/catch.hpp>

#include <set>

#include "dynamo/membership/ring_view.hpp"
#include "dynamo/ring/partition_planner.hpp"
#include "dynamo/wire/ring_document.hpp"

using namespace dynamo;
using membership::ChangeRequest;
using membership::MemberStatus;
using membership::RingState;
using membership::RingView;

namespace {

const ring::RingParams params{ring::HashKind::xxh3_128, 64};

RingView founded(std::vector<std::string> names, std::uint32_t replicas = 3) {
  std::vector<ring::Member> members;
  for (auto& name : names) members.push_back({std::move(name), {}, 1, {}});
  std::string why;
  auto view = RingView::build(params, replicas,
                              RingState{1, ring::assign_initial(params, members), {}, {}}, why);
  REQUIRE(view);
  return *view;
}

RingView apply(const RingView& view, const ChangeRequest& request) {
  const auto plan = membership::plan_change(params, view, request);
  INFO(plan.detail);
  REQUIRE_FALSE(plan.refused);
  REQUIRE(plan.state);
  std::string why;
  auto next = RingView::build(params, view.current().replicas(), *plan.state, why);
  INFO(why);
  REQUIRE(next);
  return *next;
}

ChangeRequest join_of(std::string name, std::string address = {}) {
  return {wire::ChangeKind::join, std::move(name), std::move(address), {}, 1};
}
ChangeRequest leave_of(std::string name) { return {wire::ChangeKind::leave, std::move(name), {}, {}, 1}; }

}  // namespace

TEST_CASE("a ring document is checked before it is used", "[membership][ring]") {
  std::string why;
  CHECK_FALSE(RingView::build(params, 3, RingState{}, why));
  CHECK_THAT(why, Catch::Contains("epoch 0"));
  RingState holes = founded({"a", "b", "c"}).state();
  holes.current[0].partitions.pop_back();
  CHECK_FALSE(RingView::build(params, 3, holes, why));
  CHECK_THAT(why, Catch::Contains("current layout"));
  RingState twice = founded({"a", "b", "c"}).state();
  twice.addresses = {{"a", "h:1"}, {"a", "h:2"}};
  CHECK_FALSE(RingView::build(params, 3, twice, why));
  CHECK_THAT(why, Catch::Contains("two addresses"));

  const RingView none(params, 3);
  CHECK_FALSE(none.known());
  CHECK(none.current().size() == 0);
  CHECK(none.current().primaries(5).empty());
  CHECK(none.claimant() == nullptr);
}

TEST_CASE("a join is a transition: the joiner fetches from the replicas it replaces",
          "[membership][ring]") {
  const RingView base = founded({"a", "b", "c", "d"});
  CHECK(base.stable());
  CHECK(*base.claimant() == "a");
  CHECK(base.transfers().empty());
  const RingView joining = apply(base, join_of("e", "127.0.0.1:7005"));
  CHECK(joining.epoch() == 2);
  CHECK_FALSE(joining.stable());
  CHECK(joining.current() == base.current());  // reads keep using the old layout
  CHECK(joining.status_of("e") == MemberStatus::joining);
  CHECK(joining.status_of("a") == MemberStatus::normal);
  CHECK(joining.status_of("zz") == MemberStatus::left);
  REQUIRE(joining.address_of("e"));
  CHECK(*joining.address_of("e") == "127.0.0.1:7005");
  CHECK(joining.names() == std::vector<std::string>{"a", "b", "c", "d", "e"});
  // Each transfer brings e a partition it replicates next, from the replica it displaces first.
  REQUIRE_FALSE(joining.transfers().empty());
  for (const auto& t : joining.transfers()) {
    CHECK(t.destination == "e");
    CHECK(joining.replicates_next("e", t.partition));
    CHECK_FALSE(joining.replicates_now("e", t.partition));
    REQUIRE(t.sources.size() == 3);
    CHECK(joining.replicates_now(t.sources[0], t.partition));
    CHECK_FALSE(joining.replicates_next(t.sources[0], t.partition));
  }
  CHECK(joining.is_destination("e"));
  CHECK_FALSE(joining.is_destination("a"));

  std::string why;
  const auto done = RingView::build(params, 3, membership::completed(joining), why);
  REQUIRE(done);
  CHECK(done->epoch() == 3);
  CHECK(done->stable());
  CHECK(done->current() == joining.next());
  CHECK(done->status_of("e") == MemberStatus::normal);
}

TEST_CASE("a leave hands every partition replica of the leaver to someone else",
          "[membership][ring]") {
  const RingView base = founded({"a", "b", "c", "d", "e"});
  const RingView leaving = apply(base, leave_of("c"));
  CHECK(leaving.status_of("c") == MemberStatus::leaving);
  std::size_t held = 0;
  for (std::uint32_t p = 0; p < params.partitions; ++p) held += base.replicates_now("c", p) ? 1 : 0;
  CHECK(leaving.transfers().size() == held);  // one new replica for each one c gives up
  for (const auto& t : leaving.transfers()) CHECK(t.sources[0] == "c");
  std::string why;
  const auto done = RingView::build(params, 3, membership::completed(leaving), why);
  REQUIRE(done);
  CHECK_FALSE(done->contains("c"));
  CHECK(done->status_of("c") == MemberStatus::left);
}

TEST_CASE("impossible or repeated changes are refused or left alone", "[membership][ring]") {
  const RingView three = founded({"a", "b", "c"});
  const auto too_few = membership::plan_change(params, three, leave_of("b"));
  CHECK(too_few.refused);
  CHECK_THAT(too_few.detail, Catch::Contains("fewer than N = 3"));
  CHECK(membership::plan_change(params, three, leave_of("x")).refused);
  CHECK(membership::plan_change(params, three, join_of("")).refused);
  ChangeRequest heavy = join_of("d");
  heavy.weight = 0;
  CHECK(membership::plan_change(params, three, heavy).refused);
  CHECK(membership::plan_change(params, RingView(params, 3), join_of("d")).refused);

  const auto member = membership::plan_change(params, three, join_of("a"));
  CHECK_FALSE(member.refused);
  CHECK_FALSE(member.state);  // nothing to change
  const RingView joining = apply(three, join_of("d", "h:4"));
  CHECK(membership::plan_change(params, joining, join_of("d", "h:5")).refused);
  CHECK_FALSE(membership::plan_change(params, joining, join_of("d", "h:4")).state);
  // A leave while d is still joining folds into the same change; undoing the join makes the
  // ring stable again, at a newer epoch.
  const RingView undone = apply(joining, leave_of("d"));
  CHECK(undone.stable());
  CHECK(undone.epoch() == joining.epoch() + 1);
  CHECK(undone.current() == three.current());
}

TEST_CASE("nodes agree which of two ring documents is newer", "[membership][ring]") {
  const RingState one = founded({"a", "b", "c"}).state();
  const RingState two = apply(founded({"a", "b", "c"}), join_of("d")).state();
  CHECK(wire::supersedes(two, one));
  CHECK_FALSE(wire::supersedes(one, two));
  CHECK_FALSE(wire::supersedes(one, one));
  // Two documents of one epoch that differ (founders configured differently): exactly one wins.
  const RingState other = founded({"a", "b", "x"}).state();
  CHECK(wire::supersedes(one, other) != wire::supersedes(other, one));
  CHECK(wire::digest(one) == wire::digest(founded({"c", "b", "a"}).state()));
  // A document survives its RingReply round trip.
  CHECK(wire::state_of(wire::to_reply(two, 7, params, 3)) == two);
}
