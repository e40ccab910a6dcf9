// The shopping-cart demo against real dynamo-peer processes over TCP: the same narrated demo as
// shopping_cart_simulated, with two shoppers on their own dynamo::Client. Midway it kills the
// cart's first home replica with SIGKILL and later restarts it, both through a control
// directory (see peer_control.hpp); scripts/demo.sh sets all of this up.
//
// The peers must announce the cart's resolver: dynamo-peer --resolver example.cart_orset.
//
// Usage: shopping_cart --peers a=127.0.0.1:7001,b=...,c=... --control DIR
//                      [--key KEY] [--session ID] [--timeout-ms MS]

#include <unistd.h>

#include <iostream>
#include <optional>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <dynamo/client.hpp>
#include <dynamo/transport/tcp_transport.hpp>

#include "common/args.hpp"
#include "common/connect.hpp"
#include "common/peer_list.hpp"
#include "common/run_until.hpp"
#include "common/status.hpp"
#include "shopping_cart/cart.hpp"
#include "shopping_cart/demo.hpp"
#include "shopping_cart/peer_control.hpp"

namespace {

using namespace std::chrono_literals;
using CartClient = dynamo::Client<dynamo::TcpTransport, shopping_cart::CartMerge>;

constexpr const char* usage =
    "usage: shopping_cart --peers NAME=HOST:PORT,... --control DIR [options]\n"
    "\n"
    "Runs the shopping-cart demo against running dynamo-peer processes (started with\n"
    "--resolver example.cart_orset). DIR holds NAME.pid, NAME.cmd and NAME.log per peer: the\n"
    "demo kills the cart's first home replica and restarts it with NAME.cmd.\n"
    "\n"
    "  --key KEY          the cart's key (default cart:42)\n"
    "  --session ID       part of every tag, unique per run (default: this process id)\n"
    "  --timeout-ms MS    the clients' per-request timeout (default 1000)\n";

struct DemoOptions {
  std::vector<examples::PeerAddress> peers;
  std::string control;
  std::string key;
  std::string session;
  std::chrono::milliseconds timeout{1000};
};

std::optional<DemoOptions> parse(int argc, char** argv) {
  examples::ArgSpec spec;
  spec.with_value = {"peers", "control", "key", "session", "timeout-ms"};
  spec.flags = {"help"};
  const examples::Args args(argc, argv, spec);
  if (args.has("help")) return std::nullopt;
  if (!args.has("peers") || !args.has("control")) {
    throw examples::UsageError("--peers and --control are required");
  }
  return DemoOptions{examples::parse_peer_list(*args.value("peers")), *args.value("control"),
                     args.value("key").value_or("cart:42"),
                     args.value("session").value_or(std::to_string(::getpid())),
                     std::chrono::milliseconds(args.number("timeout-ms", 1000, 1, 600000))};
}

// "hints waiting: 2 (a holds 1, b holds 1); c does not answer", from each peer's status.
std::string hint_status(asio::io_context& io, CartClient& observer, const DemoOptions& o) {
  const auto replies = examples::ask_status(observer, examples::names_of(o.peers), io,
                                            o.timeout + 1s);
  std::uint64_t total = 0;
  std::string where;
  std::string silent;
  for (const auto& p : o.peers) {
    const auto it = replies.find(p.name);
    if (it == replies.end()) {
      silent += (silent.empty() ? "" : ", ") + p.name;
      continue;
    }
    const std::uint64_t hints = it->second.hints;
    total += hints;
    if (hints > 0) where += (where.empty() ? "" : ", ") + p.name + " holds " + std::to_string(hints);
  }
  return "hints waiting: " + std::to_string(total) + (where.empty() ? "" : " (" + where + ")") +
         (silent.empty() ? "" : "; no answer from " + silent);
}

std::string address_of(const DemoOptions& o, const std::string& name) {
  return examples::to_map(o.peers).at(name);
}

int run(const DemoOptions& o) {
  asio::io_context io(1);
  // Keeps run_for running for the whole span even while no call is in flight.
  auto work = asio::make_work_guard(io);
  const auto client = [&](const std::string& who) {
    return examples::make_client<dynamo::TcpTransport, shopping_cart::CartMerge>(
        io, who + "-" + o.session, examples::to_map(o.peers), o.timeout, std::nullopt);
  };
  CartClient alice = client("alice");
  CartClient bob = client("bob");
  CartClient observer = client("status");
  if (!examples::run_until(io, [&] { return alice.core().ring().has_value(); }, 10s)) {
    std::cerr << "shopping_cart: no peer sent its ring within 10 s; are they running, with "
                 "--resolver example.cart_orset?\n";
    return 3;
  }
  const dynamo::ring::Ring& ring = *alice.core().ring();
  std::vector<std::string> home;
  for (const auto i : ring.primaries_for_key(o.key)) home.push_back(ring.member(i).name);
  const std::string victim = home.front();
  std::cout << "A cluster of " << ring.size() << " dynamo-peer processes on this machine, N = "
            << ring.replicas() << ": every key is stored on " << ring.replicas()
            << " home replicas.\n"
            << o.key << "'s home replicas are";
  for (const auto& h : home) std::cout << " " << h;
  std::cout << "; " << victim << " comes first. Carts merge with the OR-set resolver \""
            << shopping_cart::CartMerge::name() << "\".\n";

  const shopping_cart::PeerControl control(o.control);
  shopping_cart::DemoWorld world;
  world.key = o.key;
  world.session = o.session;
  world.run_for = [&](std::chrono::milliseconds span) {
    io.restart();
    io.run_for(span);
  };
  world.kill_node = [&] {
    control.kill(victim);
    return victim;
  };
  world.restart_node = [&] {
    control.start(victim);
    const auto address = address_of(o, victim);
    for (int i = 0; i < 100 && !shopping_cart::accepts_connections(address); ++i) {
      world.run_for(100ms);
    }
  };
  world.status = [&] { return hint_status(io, observer, o); };
  const int failures = shopping_cart::run_cart_demo(alice, bob, world);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::cout << std::unitbuf;  // narrate as it happens, also into a pipe or a log
  std::optional<DemoOptions> options;
  try {
    options = parse(argc, argv);
  } catch (const examples::UsageError& e) {
    std::cerr << "shopping_cart: " << e.what() << "\n\n" << usage;
    return 2;
  }
  if (!options) {
    std::cout << usage;
    return 0;
  }
  try {
    return run(*options);
  } catch (const std::exception& e) {
    std::cerr << "shopping_cart: " << e.what() << "\n";
    return 1;
  }
}
