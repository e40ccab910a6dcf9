// Availability between real processes: 3 dynamo-peers (N = 3, R = W = 2), a client in this
// process writing throughout and dynamo-cli writing during every fault, while each peer in turn
// is killed (SIGKILL, then restarted), paused (SIGSTOP, then SIGCONT) and, where the machine
// allows it, cut off by a firewall (every packet from or to its address dropped, then allowed
// again). Every write must succeed, every peer must be in use again within 2 s of its return,
// and every acknowledged write must be readable at the end.
//
// The firewall runs in a private network namespace this test creates (unshare(CLONE_NEWNET),
// as root, with iptables installed by scripts/install-deps.sh), where each peer has a loopback
// address of its own; nothing outside the test sees the rules. Without root or iptables the
// partitions are left out, and the test says so.

#include <catch2/catch.hpp>

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <asio/io_context.hpp>

#include "common/connect.hpp"
#include "net/net_support.hpp"
#include "procs/peer_cluster.hpp"

using namespace dynamo;
using namespace dynamo::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
using TcpClient = Client<TcpTransport, KeepSiblings>;

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Moves this process (and the peers it will start) into a network namespace of its own with
// loopback up and a working iptables. Returns why it could not, or an empty string.
std::string enter_private_network() {
  if (::geteuid() != 0) return "not root";
  if (std::system("command -v iptables > /dev/null 2>&1") != 0) return "no iptables";
  if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare: ") + std::strerror(errno);
  if (std::system("ip link set lo up") != 0) return "cannot bring loopback up";
  if (std::system("iptables -w -L INPUT -n > /dev/null 2>&1") != 0) return "iptables does not work here";
  return {};
}

void firewall(const std::string& rule) {
  const std::string command = "iptables -w " + rule;
  INFO(command);
  REQUIRE(std::system(command.c_str()) == 0);
}

// Puts distinct keys, `window` at a time, for as long as it is run; records what was
// acknowledged and every failure.
class Writer {
 public:
  static constexpr int window = 4;

  Writer(asio::io_context& io, const std::map<std::string, std::string>& peers)
      : io_(io), client_(examples::make_client<TcpTransport>(io, "writer", peers, 3s, std::nullopt)) {}

  // Runs the writes (and anything else on the io_context) for `period`.
  void write_for(std::chrono::milliseconds period) {
    while (in_flight_ < window) start_one();
    test::run_until(io_, [] { return false; }, period);
  }

  // A strict W = 3 put: all three home replicas must take it, so it succeeds only once every
  // peer is in use again. Returns the milliseconds from `since` until one succeeded (or -1).
  std::int64_t all_three_in_use(Clock::time_point since, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      std::optional<std::error_code> result;
      client_.async_put("probe-" + std::to_string(++probes_), {}, "p", WriteOptions{3, true},
                        [&](std::error_code ec, WriteResult) { result = ec; });
      test::run_until(io_, [&] { return result.has_value(); }, 5s);
      if (result && !*result) return ms_since(since);
      probe_log_ += " probe " + std::to_string(probes_) + " at " + std::to_string(ms_since(since)) +
                    " ms: " + (result ? result->message() : "no answer") + ";";
      test::run_until(io_, [] { return false; }, 20ms);
    }
    return -1;
  }

  // Waits for the writes in flight, then reads back every acknowledged key with R = 2, 64 at
  // a time; a key is lost when its read fails or lacks its value.
  std::size_t lost() {
    stopping_ = true;
    test::run_until(io_, [&] { return in_flight_ == 0; }, 10s);
    auto missing = std::make_shared<std::size_t>(0);
    auto unread = std::make_shared<std::vector<std::string>>(acked_.begin(), acked_.end());
    auto reading = std::make_shared<int>(0);
    auto read_next = std::make_shared<std::function<void()>>();
    *read_next = [this, missing, unread, reading, next = std::weak_ptr(read_next)] {
      if (unread->empty()) return;
      const std::string key = std::move(unread->back());
      unread->pop_back();
      ++*reading;
      client_.async_get(key, [=, this](std::error_code ec, GetResult r) {
        --*reading;
        if (ec || std::find(r.values.begin(), r.values.end(), key) == r.values.end()) {
          if ((*missing)++ == 0) first_missing_ = key + (ec ? ": " + ec.message() : ": not found");
        }
        if (const auto again = next.lock()) (*again)();
      });
    };
    for (int i = 0; i < 64; ++i) (*read_next)();
    test::run_until(io_, [&] { return unread->empty() && *reading == 0; }, 120s);
    return *missing + unread->size();
  }

  // What the test is doing now, recorded with each failure.
  void set_phase(std::string phase) { phase_ = std::move(phase); }

  std::size_t acked() const { return acked_.size(); }
  const std::vector<std::string>& failures() const { return failures_; }
  std::int64_t slowest_ms() const { return slowest_ms_; }
  const std::string& first_missing() const { return first_missing_; }

 private:
  void start_one() {
    const std::string key = "key-" + std::to_string(next_++);
    ++in_flight_;
    const auto start = Clock::now();
    client_.async_put(key, {}, key, [this, key, start](std::error_code ec, WriteResult) {
      --in_flight_;
      slowest_ms_ = std::max(slowest_ms_, ms_since(start));
      if (ec) {
        failures_.push_back(phase_ + ": " + key + ": " + ec.message() + " after " +
                            std::to_string(ms_since(start)) + " ms");
      } else {
        acked_.insert(key);
      }
      if (!stopping_) start_one();
    });
  }

  asio::io_context& io_;
  TcpClient client_;
  std::set<std::string> acked_;
  std::vector<std::string> failures_;
  std::size_t next_ = 0;
  int in_flight_ = 0;
  int probes_ = 0;
  bool stopping_ = false;
  std::int64_t slowest_ms_ = 0;
  std::string first_missing_;
  std::string phase_ = "start";

 public:
  std::string probe_log_;
};

// dynamo-cli put, run to its end while the writer keeps writing.
int cli_put(const PeerCluster& cluster, Writer& writer, const std::string& label) {
  auto cli = start_cli(cluster, label, {"put", label, "v"});
  const auto deadline = Clock::now() + 20s;
  while (cli->running() && Clock::now() < deadline) writer.write_for(50ms);
  INFO("dynamo-cli " << label << ": see " << (cluster.dir() / ("cli-" + label + ".log")).string());
  REQUIRE_FALSE(cli->running());
  return cli->exit_status().value_or(-1);
}

}  // namespace

TEST_CASE("writes succeed while each peer in turn is killed, paused and cut off, and a peer is "
          "in use within 2 s of its return",
          "[procs][availability]") {
  const std::string no_partitions = enter_private_network();
  PeerCluster cluster("availability", {"a", "b", "c"}, {"--hint-interval-ms", "100"});
  if (no_partitions.empty()) {
    int host = 11;
    for (const std::string& name : cluster.names()) {
      cluster.set_host(name, "127.0.0." + std::to_string(host++));
    }
  } else {
    WARN("partitions left out: " << no_partitions);
  }
  cluster.start_all();
  asio::io_context io;
  Writer writer(io, cluster.addresses());
  writer.write_for(1s);

  std::map<std::string, std::int64_t> back_in_use;  // "<fault> <peer>" -> ms after its return
  const auto fault = [&](const std::string& kind, const std::string& peer, auto start,
                         auto end) {
    writer.set_phase(kind + " " + peer);
    start();
    writer.write_for(500ms);
    CHECK(cli_put(cluster, writer, kind + "-" + peer) == 0);
    writer.write_for(2500ms);
    end();
    writer.set_phase("after " + kind + " " + peer);
    const auto returned = Clock::now();
    back_in_use[kind + " " + peer] = writer.all_three_in_use(returned, 10s);
    std::cout << "[availability] " << kind << " " << peer << ":" << writer.probe_log_ << "\n";
    writer.probe_log_.clear();
    writer.write_for(500ms);
  };
  for (const std::string& peer : cluster.names()) {
    fault("kill", peer, [&] { cluster.kill(peer); }, [&] { cluster.start(peer); });
    fault("pause", peer, [&] { cluster.signal(peer, SIGSTOP); },
          [&] { cluster.signal(peer, SIGCONT); });
    if (!no_partitions.empty()) continue;
    const std::string host = cluster.address_of(peer).substr(0, cluster.address_of(peer).find(':'));
    fault("cut", peer,
          [&] {
            firewall("-I INPUT -s " + host + " -j DROP");
            firewall("-I INPUT -d " + host + " -j DROP");
          },
          [&] { firewall("-F INPUT"); });
  }

  const std::size_t lost = writer.lost();
  std::cout << "[availability] " << writer.acked() << " writes acknowledged, "
            << writer.failures().size() << " failed, slowest " << writer.slowest_ms()
            << " ms, lost " << lost << "; in use again after its return:";
  for (const auto& [what, ms] : back_in_use) std::cout << " " << what << " " << ms << " ms;";
  std::cout << (no_partitions.empty() ? "" : " (no partitions: " + no_partitions + ")") << "\n";
  for (std::size_t i = 0; i < writer.failures().size() && i < 10; ++i) {
    std::cout << "[availability] failed: " << writer.failures()[i] << "\n";
  }
  CHECK(writer.failures().empty());
  CHECK(writer.acked() > 0);
  INFO("first lost key: " << writer.first_missing());
  CHECK(lost == 0);
  for (const auto& [what, ms] : back_in_use) {
    INFO(what << " was in use " << ms << " ms after its return");
    CHECK(ms >= 0);
    CHECK(ms < 2000);
  }
}
