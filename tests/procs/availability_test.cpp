// Availability between real processes over loopback TCP. 3 dynamo-peers (N = 3, R = W = 2);
// a dynamo::Client in this process puts a new key every 20 ms (up to 64 in flight) and
// dynamo-cli puts one every 300 ms, from start to end, while each peer in turn is killed
// (SIGKILL, restarted on its data after 4 s), paused (SIGSTOP, SIGCONT after 4 s) and cut off
// (every packet from or to its address dropped for 5 s, then allowed again). It proves:
//   - writes keep succeeding: every client and every dynamo-cli put is acknowledged;
//   - a peer is in use again within 2 s of its return: a strict W = 3 put, which needs all three
//     home replicas, succeeds by then;
//   - nothing acknowledged is lost: once every peer is back, each acknowledged key reads back
//     with R = 2 and only its own value.
// The cuts need a private network namespace (unshare(CLONE_NEWNET), as root, with iptables and
// iproute2, which scripts/install-deps.sh installs), where each peer has a loopback address of
// its own and the firewall rules touch nothing outside this test's process. Where that is not
// possible the kills and pauses still run and the test warns that the cuts did not.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "common/connect.hpp"
#include "procs/peer_cluster.hpp"

using namespace dynamo;
using namespace dynamo::test;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;
using TcpClient = Client<TcpTransport>;

std::int64_t ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The wall-clock time as the peers' logs print it (2026-12-03T07:55:53.652Z), to find an
// event's place in them.
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return text;
}

// Lines of the peers' logs (every start's) about their view of each other: what a failure of
// this test is usually explained by.
std::string peer_views(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> logs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (file.size() > 4 && file.ends_with(".log") && file[1] == '-') logs.push_back(entry.path());
  }
  std::ranges::sort(logs);
  std::string out;
  for (const auto& log : logs) {
    std::istringstream lines(read_file(log));
    for (std::string line; std::getline(lines, line);) {
      for (const char* word : {"suspected", "is down", "up again", "answers again", "refused"}) {
        if (line.find(word) != std::string::npos) {
          out += "[availability]   " + log.filename().string() + ": " + line + "\n";
          break;
        }
      }
    }
  }
  return out;
}

// Runs `command` with /bin/sh; its exit code, or -1 if it did not exit normally.
int run_command(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// Moves this process (and so the peers and dynamo-cli it starts) into a network namespace of
// its own with loopback up and iptables working in it. Returns why it could not (having come
// back to the namespace it started in), or an empty string.
std::string enter_private_network() {
  if (::geteuid() != 0) return "not root: unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN";
  if (run_command("command -v iptables > /dev/null 2>&1") != 0 ||
      run_command("command -v ip > /dev/null 2>&1") != 0) {
    return "iptables or ip is not installed (scripts/install-deps.sh installs them)";
  }
  const int original = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original < 0) return std::string("open /proc/self/ns/net: ") + std::strerror(errno);
  if (::unshare(CLONE_NEWNET) != 0) {
    const std::string why = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
    ::close(original);
    return why;
  }
  std::string why;
  if (run_command("ip link set lo up") != 0) {
    why = "ip link set lo up failed in the new namespace";
  } else if (run_command("iptables -w -L INPUT -n > /dev/null 2>&1") != 0) {
    why = "iptables -L does not work in the new namespace";
  }
  if (!why.empty() && ::setns(original, CLONE_NEWNET) != 0) {
    why += std::string("; and setns back failed: ") + std::strerror(errno);
  }
  ::close(original);
  return why;
}

// Cuts a peer's loopback address off and heals it. On loopback every packet, whoever sends it,
// crosses OUTPUT and then INPUT of this namespace; dropping in INPUT makes the cut silent for
// both ends, as a real partition is (a drop in OUTPUT would fail the sender's call at once with
// EPERM instead). Peers bind their dialed connections to their own address, so packets between
// two peers carry both addresses; the clients' come from 127.0.0.1.
class Firewall {
 public:
  ~Firewall() {
    for (const std::string& rule : rules_) run_command("iptables -w -D " + rule + " 2> /dev/null");
  }
  void cut(const std::string& host) {
    add("INPUT -s " + host + " -j DROP");
    add("INPUT -d " + host + " -j DROP");
  }
  void heal() {
    while (!rules_.empty()) {
      const std::string command = "iptables -w -D " + rules_.back();
      INFO(command);
      REQUIRE(run_command(command) == 0);
      rules_.pop_back();
    }
  }

 private:
  void add(const std::string& rule) {
    const std::string command = "iptables -w -A " + rule;
    INFO(command);
    REQUIRE(run_command(command) == 0);
    rules_.push_back(rule);
  }
  std::vector<std::string> rules_;
};

// Figures of one fault: the writes started from its beginning until the next fault's.
struct Phase {
  std::string name;
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::int64_t slowest_ms = 0;
  std::size_t cli_ok = 0;
  std::size_t cli_failed = 0;
  std::int64_t cli_slowest_ms = 0;
  std::optional<std::int64_t> in_use_ms;  // after its return; nullopt: not measured or never
  std::string probe_failures;
};

struct Acked {
  std::string key;
  std::string value;
};

// The load: the client's puts every 20 ms and dynamo-cli's every 300 ms, both driven from the
// loop that runs the client's io_context; every outcome is kept with the phase it started in
// and the time since the last fault event (a kill, restart, pause, cut, heal...).
class Load {
 public:
  static constexpr auto write_interval = 20ms;
  static constexpr std::size_t max_in_flight = 64;
  static constexpr auto cli_interval = 300ms;
  static constexpr auto cli_limit = 20s;  // a dynamo-cli put still running then has failed

  Load(PeerCluster& cluster, std::ofstream& log) : cluster_(cluster), log_(log) {
    ClientConfig config;
    config.name = "availability-client";
    for (const std::string& name : cluster.names()) config.seeds.push_back(name);
    // Room within one request to pass over a silent coordinator and ask another: an attempt
    // waits a little longer than the peers' own request timeout (1 s), the request 3 s.
    config.request_timeout = 3000ms;
    config.attempt_timeout = 1200ms;
    config.trace_requests = true;
    config.log = dynamo::log_lines([this](std::string_view line) { note("client: " + std::string(line)); });
    StreamTransportConfig transport;
    transport.name = config.name;
    transport.peers = cluster.addresses();
    transport.log = [this](std::string_view line) { note("transport: " + std::string(line)); };
    client_.emplace(io_.get_executor(), std::move(config),
                    TcpTransport(io_.get_executor(), std::move(transport)));
    begin_phase("start");
  }

  // Records a fault event: failures are timed from the latest.
  void event(const std::string& what) {
    event_ = what;
    event_at_ = Clock::now();
    note("=== " + what);
    std::cout << "[availability] " << std::setw(6) << ms_between(start_, event_at_) << " ms ("
              << utc_now() << "): " << what << std::endl;
  }
  Clock::time_point event_at() const { return event_at_; }

  void begin_phase(const std::string& name) {
    phases_.emplace_back();
    phases_.back().name = name;
  }
  Phase& phase() { return phases_.back(); }

  // Runs the load (and the client) until `done` holds or `limit` passes; returns done().
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!done() && Clock::now() < deadline) step();
    return done();
  }
  void pump_for(std::chrono::milliseconds period) {
    pump_until([] { return false; }, period);
  }

  // Strict W = 3 puts, one after another, until one coordinated by each peer has succeeded:
  // each peer then reached both others, so the peer that returned at `returned` is in use by
  // all of them (one success alone showed only its coordinator's links: the next fault could
  // begin while two peers had not reconnected yet, within the 2 s a heal may take). Returns
  // the milliseconds from `returned` to the last of those successes, or nullopt after `limit`.
  std::optional<std::int64_t> time_to_in_use(Clock::time_point returned,
                                             std::chrono::milliseconds limit) {
    const auto deadline = returned + limit;
    std::set<std::string> coordinated;  // peers whose W = 3 probe succeeded since the return
    while (Clock::now() < deadline) {
      auto result = std::make_shared<std::optional<std::error_code>>();
      std::string key;
      std::string coordinator;
      do {
        key = "probe-" + std::to_string(probes_++);
        coordinator = first_home_replica(key);
      } while (coordinated.contains(coordinator));
      const auto sent = Clock::now();
      client_->async_put(key, {}, "p", WriteOptions{3, true},
                         [result](std::error_code ec, WriteResult) { *result = ec; });
      pump_until([&] { return result->has_value(); }, 5s);
      if (*result && !**result) {
        coordinated.insert(coordinator);
        if (coordinated.size() >= peers_) return ms_between(returned, Clock::now());
        continue;
      }
      std::ostringstream why;
      why << " " << key << " sent at " << ms_between(returned, sent) << " ms: "
          << (*result ? (*result)->message() : std::string("no answer in 5 s")) << " after "
          << ms_between(sent, Clock::now()) << " ms;";
      phase().probe_failures += why.str();
      note("probe failed:" + why.str());
      pump_for(20ms);
    }
    return std::nullopt;
  }

  // Stops starting writes and waits for those in flight and the running dynamo-cli.
  bool drain(std::chrono::milliseconds limit) {
    stopping_ = true;
    return pump_until([&] { return in_flight_ == 0 && !cli_; }, limit);
  }

  // Reads every acknowledged key with R = 2 (a read that fails is tried 3 times); returns one
  // line per key that does not read back as exactly its value.
  std::vector<std::string> lost(std::chrono::milliseconds limit) {
    struct Reads {
      std::deque<std::pair<Acked, int>> todo;  // key, attempts made
      std::size_t reading = 0;
      std::vector<std::string> lost;
    };
    auto reads = std::make_shared<Reads>();
    for (const Acked& a : acked_) reads->todo.emplace_back(a, 0);
    auto next = std::make_shared<std::function<void()>>();
    *next = [this, reads, weak = std::weak_ptr(next)] {
      if (reads->todo.empty()) return;
      auto [acked, attempts] = reads->todo.front();
      reads->todo.pop_front();
      ++reads->reading;
      client_->async_get(acked.key, ReadOptions{2, false},
                         [this, reads, weak, acked, attempts](std::error_code ec, GetResult got) {
        --reads->reading;
        if (ec && attempts + 1 < 3) {
          reads->todo.emplace_back(acked, attempts + 1);
        } else if (ec) {
          reads->lost.push_back(acked.key + ": read failed 3 times, last: " + ec.message());
        } else if (got.values.empty() ||
                   !std::ranges::all_of(got.values, [&](const Value& v) { return v == acked.value; })) {
          std::string values;
          for (const Value& v : got.values) values += " \"" + v + "\"";
          reads->lost.push_back(acked.key + ": expected \"" + acked.value + "\", read " +
                                std::to_string(got.values.size()) + " value(s):" + values);
        }
        if (const auto again = weak.lock()) (*again)();
      });
    };
    for (int i = 0; i < 32; ++i) (*next)();
    const bool done = pump_until([&] { return reads->todo.empty() && reads->reading == 0; }, limit);
    std::vector<std::string> result = reads->lost;
    if (!done) {
      result.push_back(std::to_string(reads->todo.size() + reads->reading) +
                       " key(s) not read back within the time limit");
    }
    *next = [] {};
    return result;
  }

  const std::vector<Phase>& phases() const { return phases_; }
  const std::vector<std::string>& failures() const { return failures_; }
  std::size_t acked() const { return acked_.size(); }
  std::size_t client_acked() const { return client_acked_; }
  std::size_t cli_acked() const { return acked_.size() - client_acked_; }
  std::size_t delayed() const { return delayed_; }

  // One turn of the loop: the client's handlers for up to 5 ms, then whatever the schedule
  // says is due (also what PeerCluster::start runs while it waits for a restarted peer).
  void step() {
    io_.restart();
    io_.run_for(5ms);
    const auto now = Clock::now();
    while (!stopping_ && now >= next_write_) {
      next_write_ += write_interval;
      if (in_flight_ < max_in_flight) {
        start_write();
      } else {
        ++delayed_;  // 64 still in flight: this one is skipped, and counted
      }
    }
    poll_cli(now);
  }

 private:

  void start_write() {
    const std::size_t i = writes_++;
    Acked write{"key-" + std::to_string(i), "value-" + std::to_string(i)};
    ++in_flight_;
    const auto started = Clock::now();
    const std::size_t phase = phases_.size() - 1;
    const auto since_event = ms_between(event_at_, started);
    const std::string event = event_;
    client_->async_put(write.key, {}, write.value,
                       [this, write, started, phase, since_event, event](std::error_code ec,
                                                                         WriteResult) {
      --in_flight_;
      const auto took = ms_between(started, Clock::now());
      Phase& p = phases_[phase];
      p.slowest_ms = std::max(p.slowest_ms, took);
      if (!ec) {
        ++p.ok;
        ++client_acked_;
        acked_.push_back(write);
        return;
      }
      ++p.failed;
      std::ostringstream why;
      why << "client put " << write.key << " [" << p.name << "], started " << since_event
          << " ms after \"" << event << "\": " << ec.message() << " after " << took << " ms";
      failures_.push_back(why.str());
      note("FAILED " + why.str());
    });
  }

  void poll_cli(Clock::time_point now) {
    if (cli_) {
      const bool timed_out = now - cli_started_ > cli_limit;
      if (cli_->running() && !timed_out) return;
      if (timed_out) cli_->kill();
      const auto took = ms_between(cli_started_, now);
      Phase& p = phases_[cli_phase_];
      p.cli_slowest_ms = std::max(p.cli_slowest_ms, took);
      const std::string label = "put-" + std::to_string(cli_runs_ - 1);
      const auto status = cli_->exit_status();
      cli_.reset();
      if (!timed_out && status == 0) {
        ++p.cli_ok;
        acked_.push_back(cli_write_);
        return;
      }
      ++p.cli_failed;
      std::ostringstream why;
      why << "dynamo-cli put " << cli_write_.key << " [" << p.name << "], started "
          << cli_since_event_ << " ms after \"" << cli_event_ << "\": "
          << (timed_out ? "still running after 20 s"
                        : "exit " + std::to_string(status.value_or(-1))) << " after " << took
          << " ms; its output: " << read_file(cluster_.dir() / ("cli-" + label + ".log"));
      failures_.push_back(why.str());
      note("FAILED " + why.str());
      return;
    }
    if (stopping_ || now - cli_started_ < cli_interval) return;
    const std::size_t i = cli_runs_++;
    cli_write_ = {"cli-" + std::to_string(i), "cli-value-" + std::to_string(i)};
    cli_started_ = now;
    cli_phase_ = phases_.size() - 1;
    cli_event_ = event_;
    cli_since_event_ = ms_between(event_at_, now);
    cli_ = start_cli(cluster_, "put-" + std::to_string(i), {"put", cli_write_.key, cli_write_.value});
  }

  void note(const std::string& line) {
    log_ << std::setw(6) << ms_between(start_, Clock::now()) << " " << line << "\n";
  }

  PeerCluster& cluster_;
  std::ofstream& log_;
  const Clock::time_point start_ = Clock::now();
  asio::io_context io_{1};
  std::optional<TcpClient> client_;
  std::vector<Phase> phases_;
  std::vector<Acked> acked_;
  std::vector<std::string> failures_;
  std::size_t client_acked_ = 0;
  std::string event_ = "start";
  Clock::time_point event_at_ = Clock::now();
  bool stopping_ = false;
  std::size_t writes_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t delayed_ = 0;
  std::size_t probes_ = 0;
  std::size_t peers_ = 3;

  // The key's first home replica in the client's ring (the node a write of it goes to).
  std::string first_home_replica(const std::string& key) const {
    const auto& ring = client_->core().ring();
    if (!ring) return {};
    return ring->member(ring->primaries_for_key(key).front()).name;
  }
  Clock::time_point next_write_ = Clock::now();
  std::unique_ptr<examples::PeerProcess> cli_;
  std::size_t cli_runs_ = 0;
  Acked cli_write_;
  Clock::time_point cli_started_{};
  std::size_t cli_phase_ = 0;
  std::string cli_event_;
  std::int64_t cli_since_event_ = 0;
};

}  // namespace

TEST_CASE("3 peers: writes succeed while each peer in turn is killed, paused and cut off, a "
          "returning peer is in use within 2 s, and nothing acknowledged is lost",
          "[availability]") {
  const auto test_start = Clock::now();
  const std::string no_cuts = enter_private_network();
  if (!no_cuts.empty()) {
    WARN("NETWORK CUTS NOT RUN (only kills and pauses are tested): " << no_cuts);
  }

  PeerCluster cluster("availability", {"a", "b", "c"},
                      {"--hint-interval-ms", "100", "--transfer-check-interval-ms", "100"});
  std::map<std::string, std::string> host;
  if (no_cuts.empty()) {
    int last = 11;
    for (const std::string& name : cluster.names()) {
      host[name] = "127.0.0." + std::to_string(last++);
      cluster.set_host(name, host[name]);
    }
  }
  cluster.start_all();
  std::ofstream client_log(cluster.dir() / "client.log");
  Load load(cluster, client_log);
  Firewall firewall;
  load.pump_for(1s);

  // One fault: `begin` it, keep the load going for `down`, `end` it, then time how long until
  // the peer is in use again.
  const auto fault = [&](const std::string& name, const std::function<void()>& begin,
                         std::chrono::milliseconds down, const std::function<void()>& end) {
    load.begin_phase(name);
    load.event(name + ": begins");
    begin();
    load.pump_for(down);
    load.event(name + ": ends");
    end();
    const auto returned = Clock::now();
    load.event(name + ": peer back");
    load.phase().in_use_ms = load.time_to_in_use(returned, 10s);
    load.event(name + ": in use " + (load.phase().in_use_ms
                                        ? "after " + std::to_string(*load.phase().in_use_ms) + " ms"
                                        : std::string("NOT within 10 s")));
    load.pump_for(500ms);
  };

  for (const std::string& peer : cluster.names()) {
    fault("SIGKILL " + peer, [&] { cluster.kill(peer); }, 4s,
          [&] { cluster.start(peer, [&] { load.step(); }); });
    fault("SIGSTOP " + peer, [&] { cluster.signal(peer, SIGSTOP); }, 4s,
          [&] { cluster.signal(peer, SIGCONT); });
    if (no_cuts.empty()) {
      fault("cut " + peer + " (" + host[peer] + ")", [&] { firewall.cut(host[peer]); }, 5s,
            [&] { firewall.heal(); });
    }
  }

  load.begin_phase("end");
  const bool drained = load.drain(15s);
  const std::vector<std::string> lost = load.lost(60s);

  std::cout << "[availability] per fault: client puts ok/failed, slowest; dynamo-cli puts "
               "ok/failed, slowest; in use after its return\n";
  for (const Phase& p : load.phases()) {
    std::cout << "[availability]   " << std::left << std::setw(26) << p.name << std::right
              << " client " << std::setw(4) << p.ok << "/" << p.failed << ", " << std::setw(5)
              << p.slowest_ms << " ms; cli " << std::setw(2) << p.cli_ok << "/" << p.cli_failed
              << ", " << std::setw(5) << p.cli_slowest_ms << " ms; in use: "
              << (p.in_use_ms ? std::to_string(*p.in_use_ms) + " ms" : std::string("-")) << "\n";
    if (!p.probe_failures.empty()) {
      std::cout << "[availability]     W = 3 probes that failed:" << p.probe_failures << "\n";
    }
  }
  std::cout << "[availability] " << load.acked() << " puts acknowledged (" << load.client_acked()
            << " client, " << load.cli_acked() << " dynamo-cli), " << load.failures().size()
            << " failed, " << load.delayed() << " client puts skipped with 64 in flight, "
            << lost.size() << " acknowledged lost; whole test " << ms_between(test_start, Clock::now())
            << " ms" << (no_cuts.empty() ? "" : "; NO NETWORK CUTS: " + no_cuts) << "\n";
  for (const std::string& f : load.failures()) std::cout << "[availability] FAILED " << f << "\n";
  for (std::size_t i = 0; i < lost.size() && i < 20; ++i) {
    std::cout << "[availability] LOST " << lost[i] << "\n";
  }
  std::cout << "[availability] logs: client " << (cluster.dir() / "client.log").string()
            << ", peers and dynamo-cli runs in " << cluster.dir().string() << " (<peer>-<start>.log)\n";

  bool in_use = true;
  for (const Phase& p : load.phases()) {
    if (p.name != "start" && p.name != "end") in_use = in_use && p.in_use_ms && *p.in_use_ms < 2000;
  }
  if (!load.failures().empty() || !lost.empty() || !in_use) {
    std::cout << "[availability] the peers' views of each other:\n" << peer_views(cluster.dir());
  }

  CHECK(drained);
  CHECK(load.client_acked() > 0);
  CHECK(load.cli_acked() > 0);
  CHECK(load.failures().empty());  // writes keep succeeding
  CHECK(lost.empty());             // nothing acknowledged is lost
  for (const Phase& p : load.phases()) {
    if (p.name == "start" || p.name == "end") continue;
    INFO(p.name << ": in use again " << (p.in_use_ms ? std::to_string(*p.in_use_ms) + " ms" : "never (10 s)")
                << " after its return; failed probes:" << p.probe_failures);
    CHECK((p.in_use_ms && *p.in_use_ms < 2000));
  }
}
