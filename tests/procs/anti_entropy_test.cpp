// Three dynamo-peer processes on loopback: a killed peer is reported down by the others' failure
// detectors, and a peer restarted on an old copy of its data directory (a restored backup) gets
// back everything it lacks through Merkle anti-entropy alone: no hint exists for those writes,
// since it was up when they were made, and the test reads nothing.

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

#include "procs/load_client.hpp"
#include "procs/peer_cluster.hpp"

using namespace dynamo;
using namespace dynamo::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
using Statuses = LoadClient<TcpTransport>::Statuses;

bool converged(const Statuses& s, std::uint64_t keys) {
  return s.size() == 3 && std::ranges::all_of(s, [&](const auto& p) {
           return p.second.keys == keys && p.second.digest == s.begin()->second.digest;
         });
}

bool reported_as(const Statuses& s, const std::string& observer, const std::string& peer,
                 const std::string& state) {
  const auto it = s.find(observer);
  return it != s.end() && std::ranges::any_of(it->second.peers, [&](const auto& p) {
           return p.name == peer && p.state == state;
         });
}

}  // namespace

TEST_CASE("a killed peer is reported down, and a peer restored from an old data directory catches up "
          "by anti-entropy",
          "[procs][anti-entropy]") {
  PeerCluster cluster("ae-restore", {"a", "b", "c"},
                      {"--request-timeout-ms", "1000", "--hint-interval-ms", "100",
                       "--transfer-check-interval-ms", "100",
                       "--gossip-interval-ms", "200", "--anti-entropy-interval-ms", "2"});
  cluster.start_all();
  LoadClient<TcpTransport> client(cluster.addresses(), std::nullopt, 2s);
  REQUIRE(client.write_keys(0, 2000, {}, 120s).failed == 0);
  auto [first, settled] = client.wait_for_status([](const auto& s) { return converged(s, 2000); }, 30s);
  INFO(describe(first));
  REQUIRE(settled);

  cluster.kill("c");
  auto start = Clock::now();
  const auto [seen, detected] = client.wait_for_status(
      [](const auto& s) { return reported_as(s, "a", "c", "down") && reported_as(s, "b", "c", "down"); },
      30s);
  INFO(describe(seen));
  REQUIRE(detected);
  std::cout << "[anti-entropy] a and b report the killed peer down after " << seconds_since(start)
            << " s (gossip every 200 ms, phi threshold 8)\n";

  const auto backup = cluster.data_dir("c").string() + ".backup";
  std::filesystem::copy(cluster.data_dir("c"), backup, std::filesystem::copy_options::recursive);
  cluster.start("c");
  REQUIRE(client.write_keys(2000, 3000, {}, 120s).failed == 0);
  auto [second, all_up] = client.wait_for_status([](const auto& s) { return converged(s, 3000); }, 30s);
  INFO(describe(second));
  REQUIRE(all_up);

  cluster.kill("c");
  std::filesystem::remove_all(cluster.data_dir("c"));
  std::filesystem::copy(backup, cluster.data_dir("c"), std::filesystem::copy_options::recursive);
  start = Clock::now();
  cluster.start("c");
  CHECK(file_contains(cluster.log_of("c"), "2000 keys and 0 hints"));  // the old disk
  const auto [final_status, repaired] =
      client.wait_for_status([](const auto& s) { return converged(s, 3000); }, 90s);
  INFO(describe(final_status));
  REQUIRE(repaired);
  std::cout << "[anti-entropy] the restored peer holds all 3000 keys, identical to the others, "
            << seconds_since(start) << " s after its restart, without a single read\n";
}
