// A peer whose certificate comes from another CA is refused by the cluster: a and b run with
// certificates from the cluster CA, c with one from a foreign CA (while trusting the cluster CA
// itself). a and b must fail every TLS handshake with c, keep serving writes between themselves,
// and keep c's copies as hints that they cannot deliver.

#include <catch2/catch.hpp>

#include "procs/load_client.hpp"
#include "procs/peer_cluster.hpp"

using namespace dynamo;
using namespace dynamo::test;
using namespace std::chrono_literals;

TEST_CASE("a peer with a certificate from another CA is refused, and writes go on without it",
          "[procs][tls]") {
  TempDir pki;
  make_test_ca(pki.path(), {"a", "b", "client"});
  PeerCluster cluster("tls-foreign-ca", {"a", "b", "c"},
                      {"--request-timeout-ms", "1000", "--hint-interval-ms", "100"});
  cluster.set_tls("a", test_tls(pki.path(), "a"));
  cluster.set_tls("b", test_tls(pki.path(), "b"));
  cluster.set_tls("c", foreign_tls(pki.path()));
  cluster.start_all();
  LoadClient<TlsTransport> client(cluster.addresses(), test_tls(pki.path(), "client"), 2s);

  constexpr std::size_t keys = 300;
  const auto wrote = client.write_keys(0, keys, WriteOptions{2, false}, 120s);
  INFO(wrote.first_failure);
  REQUIRE(wrote.failed == 0);

  // a and b hold every key, the same data, and c's copies as hints they cannot hand over.
  const auto [statuses, settled] = client.wait_for_status(
      [&](const auto& s) {
        return s.contains("a") && s.contains("b") && s.at("a").keys == keys &&
               s.at("b").keys == keys && s.at("a").digest == s.at("b").digest &&
               s.at("a").hints + s.at("b").hints >= keys;
      },
      15s);
  std::ostringstream seen;
  for (const auto& [name, s] : statuses) seen << s << "\n";
  INFO(seen.str());
  CHECK(settled);
  // c never completes a handshake with a client holding a cluster certificate either.
  CHECK_FALSE(statuses.contains("c"));
  // Both sides log the refused handshakes, and a and b suspect c: requests to it time out.
  for (const std::string name : {"a", "b"}) {
    INFO("log of " << name << ": " << cluster.log_of(name));
    CHECK(file_contains(cluster.log_of(name), "handshake"));
    CHECK(file_contains(cluster.log_of(name), "c suspected"));
  }
  CHECK(file_contains(cluster.log_of("c"), "handshake"));
}
