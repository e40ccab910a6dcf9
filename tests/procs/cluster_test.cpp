// Three dynamo-peer processes on loopback, each with its LogStorage: bulk writes, one peer killed
// with SIGKILL while writes go on, the peer restarted on its port with what it had on disk,
// hinted handoff, and convergence checked through every peer's status digest. Over TCP, then
// over TLS.

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

struct Sizes {
  std::size_t before_kill;  // keys written while all three peers run
  std::size_t during_kill;  // keys written while c is dead
};

const std::vector<std::string> peer_args{"--request-timeout-ms", "1000", "--hint-interval-ms",
                                         "100", "--transfer-check-interval-ms", "100"};

void report(const std::string& label, const std::string& what, std::size_t count,
            Clock::time_point start, const LoadOutcome& outcome) {
  const double s = seconds_since(start);
  std::cout << "[" << label << "] " << what << ": " << count << " in " << s << " s ("
            << static_cast<std::size_t>(count / s) << "/s), " << outcome.retries << " retries\n";
}

// The scenario of both tests: write, kill c, write on (W = 2: the sloppy quorum keeps every
// write available, the coordinators keeping c's copies as hints), restart c, let the hints
// drain, and check that all three peers hold identical data at once: c recovered every write it
// had acknowledged from its log, and hinted handoff brought it the rest. Then every key is read
// with R = 3 from the home replicas only, which each must serve.
template <class Transport>
void kill_and_restart(const std::string& label, PeerCluster& cluster,
                      const std::optional<TlsConfig>& client_tls, Sizes sizes) {
  const std::size_t total = sizes.before_kill + sizes.during_kill;
  const auto test_start = Clock::now();
  cluster.start_all();
  LoadClient<Transport> client(cluster.addresses(), client_tls, 2s);

  auto start = Clock::now();
  const auto before = client.write_keys(0, sizes.before_kill, {}, 240s);
  report(label, "writes, 3 peers up", sizes.before_kill, start, before);
  INFO(before.first_failure);
  REQUIRE(before.failed == 0);

  cluster.kill("c");
  start = Clock::now();
  const auto during = client.write_keys(sizes.before_kill, total, WriteOptions{2, false}, 240s);
  report(label, "writes with W = 2, c killed", sizes.during_kill, start, during);
  INFO(during.first_failure);
  REQUIRE(during.failed == 0);
  // Every write c missed waits as a hint on a or b (coordinators keep it after their deadline).
  const auto [hinted, hints_kept] = client.wait_for_status(
      [&](const auto& s) {
        return s.contains("a") && s.contains("b") &&
               s.at("a").hints + s.at("b").hints >= sizes.during_kill;
      },
      10s);
  INFO(describe(hinted));
  REQUIRE(hints_kept);

  start = Clock::now();
  cluster.start("c");
  const auto [drained, hints_delivered] = client.wait_for_status(
      [](const auto& s) {
        return s.size() == 3 && std::ranges::all_of(s, [](const auto& p) {
                 return p.second.hints == 0;
               });
      },
      60s);
  std::cout << "[" << label << "] c restarted, every hint delivered in " << seconds_since(start)
            << " s\n";
  INFO(describe(drained));
  REQUIRE(hints_delivered);
  // No read has touched c since its restart: what it holds now came from its own log and from
  // hints, and it must be everything, identical to the other two replicas.
  INFO(describe(drained));
  CHECK(std::ranges::all_of(drained, [&](const auto& p) {
    return p.second.keys == total && p.second.digest == drained.begin()->second.digest;
  }));

  start = Clock::now();
  const auto served = client.read_keys(0, total, ReadOptions{3, true}, 240s);
  report(label, "strict R = 3 reads, every home replica answering", total, start, served);
  INFO(served.first_failure);
  REQUIRE(served.failed == 0);
  std::cout << "[" << label << "] 3 peers hold " << total << " identical keys; whole test "
            << seconds_since(test_start) << " s\n";
}

}  // namespace

TEST_CASE("3 peers, 10,000 keys: a peer is killed and restarted and the replicas converge",
          "[procs][tcp]") {
  PeerCluster cluster("tcp-10000", {"a", "b", "c"}, peer_args);
  kill_and_restart<TcpTransport>("tcp", cluster, std::nullopt, {10'000, 2'000});
}

TEST_CASE("3 peers over TLS, 2,000 keys: a peer is killed and restarted and the replicas converge",
          "[procs][tls]") {
  TempDir pki;
  make_test_ca(pki.path(), {"a", "b", "c", "client"});
  PeerCluster cluster("tls-2000", {"a", "b", "c"}, peer_args);
  for (const std::string& name : cluster.names()) cluster.set_tls(name, test_tls(pki.path(), name));
  kill_and_restart<TlsTransport>("tls", cluster, test_tls(pki.path(), "client"), {2'000, 400});
}
