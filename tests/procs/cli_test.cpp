// dynamo-cli against three dynamo-peer processes, as an operator uses it: a context printed by a
// get of one key is refused for a write of another (exit 2, nothing written).

#include <catch2/catch.hpp>

#include "procs/peer_cluster.hpp"

using namespace dynamo::test;
using namespace std::chrono_literals;

namespace {

// The hex after "context: " in a get's output.
std::string context_of(const std::string& output) {
  const auto at = output.find("context: ");
  if (at == std::string::npos) return {};
  const auto start = at + 9;
  return output.substr(start, output.find('\n', start) - start);
}

}  // namespace

TEST_CASE("dynamo-cli refuses a context read for another key, and nothing is written",
          "[procs][cli]") {
  PeerCluster cluster("cli-context", {"a", "b", "c"});
  cluster.start_all();
  REQUIRE(run_cli(cluster, "put-k2", {"put", "k2", "42"}).exit_status == 0);
  REQUIRE(run_cli(cluster, "put-k1", {"put", "k1", "one"}).exit_status == 0);
  const CliRun got = run_cli(cluster, "get-k1", {"get", "k1"});
  REQUIRE(got.exit_status == 0);
  const std::string foreign = context_of(got.output);
  INFO(got.output);
  REQUIRE_FALSE(foreign.empty());

  const CliRun put = run_cli(cluster, "put-k2-foreign", {"put", "k2", "stale", "--context", foreign});
  INFO(put.output);
  CHECK(put.exit_status == 2);
  CHECK(put.output.find("for another key") != std::string::npos);
  const CliRun removed = run_cli(cluster, "remove-k2-foreign", {"remove", "k2", "--context", foreign});
  INFO(removed.output);
  CHECK(removed.exit_status == 2);

  const CliRun after = run_cli(cluster, "get-k2", {"get", "k2"});
  INFO(after.output);
  REQUIRE(after.exit_status == 0);
  CHECK(after.output.rfind("42\ncontext: ", 0) == 0);  // one value, the one written with it
  // k2's own context still works.
  const CliRun own = run_cli(cluster, "put-k2-own", {"put", "k2", "43", "--context", context_of(after.output)});
  INFO(own.output);
  CHECK(own.exit_status == 0);
}
