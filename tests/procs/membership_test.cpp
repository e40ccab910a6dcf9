// Live membership between dynamo-peer processes on loopback: a 3-peer cluster grows to 5 and
// shrinks to 4 while a client keeps writing, and nothing is lost. d is admitted through the
// Client API, e asks to be admitted by itself (dynamo-peer --join), b leaves through
// dynamo-cli leave --wait and then stops by itself once it has handed everything off.

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <numeric>
#include <thread>

#include "procs/load_client.hpp"
#include "procs/peer_cluster.hpp"

using namespace dynamo;
using namespace dynamo::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
using Statuses = LoadClient<TcpTransport>::Statuses;

// Every one of `members` answers on one stable ring of which they are all normal members, with
// nothing left to fetch or hand off.
bool settled(const Statuses& s, const std::vector<std::string>& members) {
  if (s.size() < members.size()) return false;
  const std::uint64_t epoch = s.begin()->second.ring_epoch;
  return std::ranges::all_of(members, [&](const std::string& name) {
    const auto it = s.find(name);
    return it != s.end() && it->second.ring_epoch == epoch && it->second.member_state == "normal" &&
           it->second.fetches_left == 0 && it->second.misplaced == 0;
  });
}

// Every one of `members` answers with no write of its own still on its way: none in flight
// (a write is acknowledged once W of N replicas have it, so the last copy may still travel),
// no hint to deliver, no key to hand off. Copies are counted only then.
bool quiet(const Statuses& s, const std::vector<std::string>& members) {
  return std::ranges::all_of(members, [&](const std::string& name) {
    const auto it = s.find(name);
    return it != s.end() && it->second.writes_in_flight == 0 && it->second.hints == 0 &&
           it->second.misplaced == 0;
  });
}

std::uint64_t keys_held(const Statuses& s) {
  return std::accumulate(s.begin(), s.end(), std::uint64_t{0},
                         [](std::uint64_t sum, const auto& p) { return sum + p.second.keys; });
}

// Writes keys from `next` on, 200 at a time, until `done` holds (checked between batches) or
// `limit` passes; every batch must be written in full. Returns whether `done` held.
bool write_until(LoadClient<TcpTransport>& client, std::size_t& next,
                 const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    const auto wrote = client.write_keys(next, next + 200, {}, 120s);
    INFO(wrote.first_failure);
    REQUIRE(wrote.failed == 0);
    next += 200;
  }
  return true;
}

// Waits (up to 30 s) until `members` are quiet, then checks that every key written so far is
// held exactly N = 3 times. The nodes answer one poll at slightly different moments, so a copy
// a quiet node had just had acknowledged may still have been missing from its target's answer;
// the copies are counted from the second of two quiet polls in a row. `settled` is the status
// that showed the change complete; the copies it counted are printed beside, since it can be
// taken while the last writes' third copies are still on their way.
void check_copies(LoadClient<TcpTransport>& client, const std::vector<std::string>& members,
                  const Statuses& settled, std::size_t written, const char* after) {
  bool was_quiet = false;
  const auto [status, done] = client.wait_for_status(
      [&](const Statuses& s) {
        const bool twice = was_quiet && quiet(s, members);
        was_quiet = quiet(s, members);
        return twice;
      },
      30s, members);
  INFO(describe(status));
  REQUIRE(done);
  std::cout << "[membership] after " << after << ": " << keys_held(settled)
            << " copies when the change showed complete, " << keys_held(status)
            << " once quiet, of 3 x " << written << " = " << 3 * written << "\n";
  CHECK(keys_held(status) == 3 * written);
}

}  // namespace

TEST_CASE("a 3-peer cluster grows to 5 and shrinks to 4 under load, and nothing is lost",
          "[procs][membership]") {
  PeerCluster cluster("grow-shrink", {"a", "b", "c"},
                      {"--request-timeout-ms", "1000", "--hint-interval-ms", "100",
                       "--transfer-check-interval-ms", "100",
                       "--gossip-interval-ms", "200", "--anti-entropy-interval-ms", "50"});
  cluster.add_spare("d");
  cluster.add_spare("e", {"--join"});
  cluster.start_all();
  LoadClient<TcpTransport> client(cluster.addresses(), std::nullopt, 2s);
  for (const char* spare : {"d", "e"}) client.add_peer(spare, cluster.address_of(spare));
  std::size_t next = 0;
  REQUIRE(write_until(client, next, [&] { return next >= 4000; }, 120s));

  Statuses last;
  const auto settled_on = [&](const std::vector<std::string>& members) {
    return [&, members] {
      last = client.status_of(members);
      return settled(last, members);
    };
  };

  // d, admitted through the Client API.
  cluster.start("d");
  auto start = Clock::now();
  const std::size_t before_d = next;
  const auto joined = client.start_join(NewMember{"d", cluster.address_of("d"), {}, 1});
  const bool d_in = write_until(client, next, settled_on({"a", "b", "c", "d"}), 180s);
  INFO(describe(last));
  REQUIRE(d_in);
  REQUIRE(joined->has_value());
  CHECK_FALSE(joined->value());
  const double d_share = static_cast<double>(last.at("d").keys) / (next * 3.0 / 4.0);
  std::cout << "[membership] d joined in " << seconds_since(start) << " s while " << next - before_d
            << " keys were written; it holds " << last.at("d").keys << " keys, "
            << d_share << " of its ideal share N/(S+1) = 3/4 of " << next << "\n";
  check_copies(client, {"a", "b", "c", "d"}, last, next, "d joined");

  // e, which asks to be admitted by itself.
  cluster.start("e");
  start = Clock::now();
  const std::size_t before_e = next;
  const bool e_in = write_until(client, next, settled_on({"a", "b", "c", "d", "e"}), 180s);
  INFO(describe(last));
  REQUIRE(e_in);
  CHECK(file_contains(cluster.log_of("e"), "join accepted"));
  std::cout << "[membership] e joined itself in " << seconds_since(start) << " s while "
            << next - before_e << " keys were written; it holds " << last.at("e").keys
            << " keys (ideal 3/5 of " << next << ")\n";
  check_copies(client, {"a", "b", "c", "d", "e"}, last, next, "e joined");

  // b leaves through dynamo-cli, and stops once it has handed everything off.
  start = Clock::now();
  const std::size_t before_b = next;
  auto cli = start_cli(cluster, "leave-b", {"leave", "b", "--wait", "--timeout-ms", "2000"});
  REQUIRE(write_until(client, next, [&] { return !cli->running(); }, 300s));
  INFO("dynamo-cli log: " << cluster.dir() / "cli-leave-b.log");
  REQUIRE(cli->exit_status() == 0);
  CHECK(file_contains(cluster.dir() / "cli-leave-b.log", "done after"));
  const auto deadline = Clock::now() + 30s;
  while (cluster.running("b") && Clock::now() < deadline) std::this_thread::sleep_for(100ms);
  CHECK(cluster.exit_status("b") == 0);
  CHECK(file_contains(cluster.log_of("b"), "left the ring and handed off every key"));
  std::cout << "[membership] b left in " << seconds_since(start) << " s while "
            << next - before_b << " keys were written, and stopped by itself\n";

  const std::vector<std::string> remaining{"a", "c", "d", "e"};
  const auto [final_status, done] = client.wait_for_status(
      [&](const Statuses& s) { return settled(s, remaining); }, 60s, remaining);
  last = final_status;
  INFO(describe(last));
  REQUIRE(done);
  check_copies(client, remaining, last, next, "b left");
  start = Clock::now();
  const auto served = client.read_keys(0, next, ReadOptions{3, true}, 240s);
  INFO(served.first_failure);
  REQUIRE(served.failed == 0);
  std::cout << "[membership] all " << next << " keys read back with strict R = 3 from a, c, d, e in "
            << seconds_since(start) << " s\n";
}
