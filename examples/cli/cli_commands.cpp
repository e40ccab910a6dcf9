#include "cli/cli_commands.hpp"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <asio/io_context.hpp>

#include <dynamo/client.hpp>

#include "common/announced_resolver.hpp"
#include "common/connect.hpp"
#include "common/run_until.hpp"
#include "cli/metrics_summary.hpp"
#include "common/status.hpp"

namespace examples {
namespace {

using std::chrono::milliseconds;

// A value as a terminal can show it: printable ASCII as is, other bytes escaped.
std::string printable(std::string_view value) {
  std::ostringstream out;
  for (const unsigned char c : value) {
    if (c == '\\') {
      out << "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out << c;
    } else {
      out << "\\x" << std::hex << std::setw(2) << std::setfill('0') << int{c} << std::dec;
    }
  }
  return out.str();
}

std::string hex64(std::uint64_t n) {
  std::ostringstream out;
  out << std::hex << std::setw(16) << std::setfill('0') << n;
  return out.str();
}

// One client and its io_context for the length of one command.
template <class Transport>
class CliSession {
 public:
  using Client = dynamo::Client<Transport, AnnouncedResolver>;

  // The name (with the pid) tells the nodes' logs which dynamo-cli this was; on the wire the
  // client adds a random part of its own, so replies never reach another client.
  explicit CliSession(const CliOptions& o)
      : o_(o),
        client_(make_client<Transport, AnnouncedResolver>(
            io_, "dynamo-cli-" + std::to_string(::getpid()), to_map(o.peers), o.timeout, o.tls,
            o.cluster, milliseconds(500))) {}

  int run() {
    if (o_.command == "get") return get();
    if (o_.command == "put") return put();
    if (o_.command == "remove") return remove();
    if (o_.command == "ring") return ring();
    if (o_.command == "join" || o_.command == "leave") return change();
    if (o_.command == "stats") return stats();
    return status();
  }

 private:
  // Starts an operation with a callback and runs the io_context until it completes. A read may
  // try every node in turn, so the bound allows one timeout per peer. The outcome is shared
  // with the callback, which the client calls even if it completes after the bound.
  template <class Result, class Start>
  std::pair<std::error_code, Result> call(Start start) {
    auto out = std::make_shared<std::optional<std::pair<std::error_code, Result>>>();
    start([out](std::error_code ec, Result r) { out->emplace(ec, std::move(r)); });
    const auto peers = static_cast<int>(o_.peers.size());
    const milliseconds limit = o_.timeout * (peers + 1) + milliseconds(1000);
    if (!run_until(io_, [&] { return out->has_value(); }, limit)) {
      return {make_error_code(dynamo::errc::timeout), Result{}};
    }
    return std::move(**out);
  }

  int failed(std::string_view what, std::error_code ec, const dynamo::QuorumReport& q) const {
    std::cerr << "dynamo-cli: " << what << " failed: ";
    if (ec == dynamo::errc::timeout) {
      std::cerr << "no node answered within " << o_.timeout.count()
                << " ms (are the peers running, and do --cluster, --resolver and TLS match?)\n";
      return cli_no_answer;
    }
    if (ec == dynamo::errc::quorum_not_reached) {
      std::cerr << "quorum not reached: " << q << " answered in time"
                << (what == "get" ? "" : "; the write may have landed on some of them") << "\n";
      return cli_no_quorum;
    }
    if (ec == dynamo::errc::unavailable) {
      std::cerr << "unavailable: " << q.replied << " replicas reachable, " << q.required
                << " needed; nothing was written\n";
      return cli_no_quorum;
    }
    std::cerr << ec.message() << "\n";
    const bool usage = ec == dynamo::errc::bad_context || ec == dynamo::errc::invalid_request;
    return usage ? cli_bad_usage : cli_failed;
  }

  int get() {
    auto [ec, got] = call<dynamo::GetResult>([&](auto done) {
      client_.async_get(o_.key, dynamo::ReadOptions{o_.r, false}, done);
    });
    if (ec) return failed("get", ec, got.quorum);
    if (got.values.empty()) {
      std::cout << "not found\n";
      // A removed key still has a context: writing with it supersedes the removal.
      if (!got.context.empty()) std::cout << "context: " << got.context.to_text() << "\n";
      return cli_failed;
    }
    for (const auto& value : got.values) std::cout << printable(value) << "\n";
    std::cout << "context: " << got.context.to_text() << "\n";
    return cli_ok;
  }

  int put() {
    auto [ec, wrote] = call<dynamo::WriteResult>([&](auto done) {
      client_.async_put(o_.key, o_.context, o_.value, dynamo::WriteOptions{o_.w, false}, done);
    });
    if (ec) return failed("put", ec, wrote.quorum);
    return report_write(wrote);
  }

  int remove() {
    auto [ec, wrote] = call<dynamo::WriteResult>([&](auto done) {
      client_.async_remove(o_.key, o_.context, dynamo::WriteOptions{o_.w, false}, done);
    });
    if (ec) return failed("remove", ec, wrote.quorum);
    return report_write(wrote);
  }

  int report_write(const dynamo::WriteResult& wrote) const {
    std::cout << "ok, " << wrote.quorum << "\n";
    std::size_t live = 0;
    for (const auto& v : wrote.siblings.versions()) live += v.tombstone ? 0 : 1;
    if (live > 1) {
      std::cout << "note: the key now has " << live << " concurrent values (siblings); get them,"
                << " merge, and put the result with the get's context\n";
    }
    std::cout << "context: " << wrote.context.to_text() << "\n";
    return cli_ok;
  }

  // Waits for the ring document; false (with a message) if no node sent one in time.
  bool await_ring(std::string_view what) {
    const milliseconds limit = o_.timeout * static_cast<int>(o_.peers.size()) + milliseconds(1000);
    if (run_until(io_, [&] { return client_.core().ring().has_value(); }, limit)) return true;
    std::cerr << "dynamo-cli: " << what << " failed: no node sent its ring within "
              << limit.count() << " ms\n";
    return false;
  }

  // name -> address of every node in the ring (now and in a change under way) and in --peers.
  std::map<std::string, std::string> ring_nodes() const {
    std::map<std::string, std::string> nodes = to_map(o_.peers);
    const dynamo::wire::RingReply& doc = client_.core().ring_document();
    for (const auto* layout : {&doc.members, &doc.next}) {
      for (const auto& m : *layout) nodes.try_emplace(m.name, "?");
    }
    for (const auto& a : doc.addresses) nodes[a.name] = a.address;
    return nodes;
  }

  int ring() {
    if (!await_ring("ring")) return cli_no_answer;
    const dynamo::ring::Ring& ring = *client_.core().ring();
    const std::uint32_t partition = ring.partition_of_key(o_.key);
    std::cout << o_.key << ": partition " << partition << " of " << ring.params().partitions
              << " (" << ring.params().hash << "), N = " << ring.replicas() << "\n";
    const auto primaries = ring.primaries(partition).size();
    const auto addresses = ring_nodes();
    std::size_t rank = 0;
    for (const dynamo::ring::NodeIndex i : ring.preference_list(partition)) {
      const std::string& name = ring.member(i).name;
      const auto address = addresses.find(name);
      ++rank;
      std::cout << "  " << rank << ". " << std::left << std::setw(10) << name << std::setw(24)
                << (address == addresses.end() ? "?" : address->second)
                << (rank <= primaries ? "home replica" : "fallback")
                << (rank == 1 ? " (first: coordinates)" : "") << "\n";
    }
    return cli_ok;
  }

  int status() {
    if (!await_ring("status")) return cli_no_answer;
    const auto nodes = ring_nodes();
    const auto replies = ask_status(client_, names_of(nodes), io_, o_.timeout + milliseconds(1000));
    const dynamo::wire::RingReply& doc = client_.core().ring_document();
    std::cout << "ring epoch " << doc.epoch << ", " << doc.members.size() << " member(s)"
              << (doc.next.empty() ? "" : ", a membership change under way") << "\n";
    int exit = cli_ok;
    std::map<std::uint64_t, int> digests;
    for (const auto& [name, address] : nodes) {
      std::cout << std::left << std::setw(8) << name << std::setw(22) << address;
      const auto it = replies.find(name);
      if (it == replies.end()) {
        std::cout << "no answer within " << o_.timeout.count()
                  << " ms (down, stopped, unreachable, or refusing this client)\n";
        exit = cli_no_answer;
        continue;
      }
      const auto& r = it->second;
      ++digests[r.digest];
      std::cout << "epoch " << r.ring_epoch << " " << std::setw(8) << r.member_state << " keys "
                << std::setw(7) << r.keys << " hints " << std::setw(6) << r.hints << " digest "
                << hex64(r.digest);
      if (r.fetches_left > 0) std::cout << "  fetching " << r.fetches_left << " partition(s)";
      if (r.misplaced > 0) std::cout << "  handing off " << r.misplaced << " key(s)";
      if (r.writes_in_flight > 0) std::cout << "  writes in flight " << r.writes_in_flight;
      std::cout << "  sees:";
      for (const auto& peer : r.peers) std::cout << " " << peer.name << " " << peer.state;
      std::cout << "\n";
    }
    if (digests.size() == 1 && digests.begin()->second > 1) {
      std::cout << "all " << digests.begin()->second << " answering nodes hold identical data\n";
    }
    return exit;
  }

  // Each node's metrics: a summary, or (--raw) the Prometheus text as the node sent it.
  int stats() {
    if (!await_ring("stats")) return cli_no_answer;
    const auto nodes = ring_nodes();
    const auto replies =
        ask_status(client_, names_of(nodes), io_, o_.timeout + milliseconds(1000), true);
    int exit = cli_ok;
    for (const auto& [name, address] : nodes) {
      const auto it = replies.find(name);
      if (it == replies.end()) {
        std::cout << name << " " << address << ": no answer within " << o_.timeout.count()
                  << " ms\n";
        exit = cli_no_answer;
        continue;
      }
      if (o_.raw) {
        std::cout << it->second.metrics;
        continue;
      }
      std::cout << name << " " << address << "\n" << summarize_metrics(it->second.metrics);
    }
    return exit;
  }

  int change() {
    const bool joining = o_.command == "join";
    auto [ec, result] = call<dynamo::MembershipResult>([&](auto done) {
      if (joining) {
        client_.async_join(dynamo::NewMember{o_.key, o_.address, o_.zone, o_.weight}, done);
      } else {
        client_.async_leave(o_.key, done);
      }
    });
    if (ec) {
      std::cerr << "dynamo-cli: " << o_.command << " " << o_.key << " failed: "
                << (result.detail.empty() ? ec.message() : result.detail) << "\n";
      if (ec == dynamo::errc::invalid_request) return cli_bad_usage;
      if (ec == dynamo::errc::unavailable || ec == dynamo::errc::ring_changing) return cli_no_quorum;
      return ec == dynamo::errc::timeout ? cli_no_answer : cli_failed;
    }
    std::cout << "accepted at ring epoch " << result.epoch << ": " << result.detail << "\n";
    return o_.wait ? wait_for(joining) : cli_ok;
  }

  // Polls every node until the change has completed: every node answering on one stable ring,
  // nothing left to fetch or hand off, the node a member (join) or gone from the ring (leave).
  int wait_for(bool joining) {
    const auto start = std::chrono::steady_clock::now();
    auto last_report = start;
    while (std::chrono::steady_clock::now() - start < o_.wait_limit) {
      run_until(io_, [] { return false; }, milliseconds(500));
      const dynamo::wire::RingReply& doc = client_.core().ring_document();
      const auto replies =
          ask_status(client_, names_of(ring_nodes()), io_, o_.timeout + milliseconds(1000));
      std::uint32_t fetching = 0;
      std::uint64_t misplaced = 0;
      bool one_ring = !replies.empty();
      for (const auto& [name, r] : replies) {
        fetching += r.fetches_left;
        misplaced += r.misplaced;
        one_ring &= r.ring_epoch == doc.epoch;
      }
      const auto it = replies.find(o_.key);
      const bool placed = joining ? it != replies.end() && it->second.member_state == "normal"
                                  : it == replies.end() || it->second.member_state == "outside";
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (doc.next.empty() && one_ring && placed && fetching == 0 && misplaced == 0) {
        std::cout << "done after " << std::fixed << std::setprecision(1) << seconds
                  << " s: ring epoch " << doc.epoch << ", " << doc.members.size()
                  << " member(s), every node holds only what it replicates\n";
        return cli_ok;
      }
      if (std::chrono::steady_clock::now() - last_report >= std::chrono::seconds(2)) {
        last_report = std::chrono::steady_clock::now();
        std::cout << "  " << std::fixed << std::setprecision(1) << seconds << " s: ring epoch "
                  << doc.epoch << (doc.next.empty() ? "" : " (change under way)") << ", "
                  << fetching << " partition(s) to fetch, " << misplaced
                  << " key(s) to hand off\n";
      }
    }
    std::cerr << "dynamo-cli: the change had not completed after " << o_.wait_limit.count()
              << " s; it goes on (dynamo-cli status shows how far it got)\n";
    return cli_no_answer;
  }

  const CliOptions& o_;
  asio::io_context io_{1};
  Client client_;
};

}  // namespace

int run_cli_command(const CliOptions& options) {
  if (options.tls) return CliSession<dynamo::TlsTransport>(options).run();
  return CliSession<dynamo::TcpTransport>(options).run();
}

}  // namespace examples
