#include "cli/cli_options.hpp"

#include <map>

#include "common/announced_resolver.hpp"
#include "common/args.hpp"
#include "common/tls_flags.hpp"

namespace examples {

std::string cli_usage() {
  return std::string(
             "usage: dynamo-cli --peers NAME=HOST:PORT,... [options] COMMAND\n"
             "\n"
             "Commands:\n"
             "  get KEY [--r R]                  print each value, one per line, then its context\n"
             "  put KEY VALUE [--context HEX] [--w W]\n"
             "                                   write VALUE superseding what the context saw\n"
             "                                   (none: a blind write)\n"
             "  remove KEY --context HEX [--w W] remove what the context saw\n"
             "  ring KEY                         the key's partition and preference list\n"
             "  status                           each node's ring epoch and state, keys, hints,\n"
             "                                   digest, transfers and view of its peers\n"
             "  stats [--raw]                    each node's metrics: operations by kind and\n"
             "                                   outcome with latency percentiles, quorum\n"
             "                                   failures, hints, repairs, transfer, peers and\n"
             "                                   phi (--raw: the Prometheus text)\n"
             "  join NAME=HOST:PORT [--zone Z] [--weight W] [--wait]\n"
             "                                   admit a running node (started outside the\n"
             "                                   ring, e.g. dynamo-peer --seeds ...) to the ring\n"
             "  leave NAME [--wait]              move NAME's partitions to the others; it hands\n"
             "                                   off its keys and then stops\n"
             "    --wait                         join and leave: report progress until the\n"
             "                                   change has completed (at most --wait-s, 600)\n"
             "\n"
             "Options:\n"
             "  --peers LIST           the cluster's nodes as name=host:port, comma-separated.\n"
             "                         Names are needed: nodes are addressed by name.\n"
             "  --peer NAME=HOST:PORT  one node; repeatable, adds to --peers\n"
             "  --timeout-ms MS        per request and node (default 3000)\n"
             "  --cluster NAME         the nodes' cluster name (default dynamo)\n") +
         resolver_usage + tls_usage +
         "\n"
         "Exit codes: 0 done, 1 not found or other failure, 2 usage, bad context, R/W > N or a\n"
         "membership change the cluster refused, 3 no node answered in time (or --wait ran\n"
         "out), 4 quorum not reached, too few replicas reachable or the claimant unreachable.\n";
}

namespace {

ArgSpec cli_spec() {
  ArgSpec spec;
  spec.with_value = {"peers",   "peer", "timeout-ms", "cluster", "resolver", "context", "r",
                     "w",       "zone", "weight",     "wait-s"};
  spec.flags = {"help", "wait", "raw"};
  add_tls_options(spec);
  return spec;
}

std::vector<PeerAddress> peers_from(const Args& args) {
  std::string list = args.value("peers").value_or("");
  for (const std::string& one : args.values("peer")) list += "," + one;
  if (list.empty()) throw UsageError("give the cluster with --peers a=host:port,... or --peer");
  return parse_peer_list(list);
}

// Command name -> its positional arguments after the name.
const std::map<std::string, std::size_t, std::less<>> arity = {
    {"get", 1}, {"put", 2}, {"remove", 1}, {"ring", 1}, {"status", 0}, {"stats", 0},
    {"join", 1}, {"leave", 1}};

}  // namespace

std::optional<CliOptions> parse_cli_options(int argc, const char* const* argv) {
  const Args args(argc, argv, cli_spec());
  if (args.has("help")) return std::nullopt;
  const auto& words = args.positional();
  if (words.empty()) throw UsageError("no command given");
  CliOptions o;
  o.command = words.front();
  const auto expected = arity.find(o.command);
  if (expected == arity.end()) throw UsageError("unknown command \"" + o.command + "\"");
  if (words.size() != expected->second + 1) {
    throw UsageError(o.command + " takes " + std::to_string(expected->second) + " argument(s)");
  }
  if (words.size() > 1) o.key = words[1];
  if (words.size() > 2) o.value = words[2];
  if (o.command == "join") {
    const auto joining = parse_peer_list(o.key);
    if (joining.size() != 1) throw UsageError("join takes one node as NAME=HOST:PORT");
    o.key = joining.front().name;
    o.address = joining.front().address;
    o.zone = args.value("zone").value_or("");
    o.weight = static_cast<std::uint32_t>(args.number("weight", 1, 1, 1000));
  } else if (args.has("zone") || args.has("weight")) {
    throw UsageError("--zone and --weight go with join");
  }
  o.wait = args.has("wait");
  if (o.wait && o.command != "join" && o.command != "leave") {
    throw UsageError("--wait goes with join and leave");
  }
  o.raw = args.has("raw");
  if (o.raw && o.command != "stats") throw UsageError("--raw goes with stats");
  o.wait_limit = std::chrono::seconds(args.number("wait-s", 600, 1, 86400));
  o.peers = peers_from(args);
  o.tls = tls_from_args(args);
  o.timeout = std::chrono::milliseconds(args.number("timeout-ms", 3000, 1, 600000));
  o.cluster = args.value("cluster").value_or("dynamo");
  o.resolver = args.value("resolver").value_or(std::string(AnnouncedResolver::name()));
  o.r = static_cast<std::uint32_t>(args.number("r", 0, 1, 255));
  o.w = static_cast<std::uint32_t>(args.number("w", 0, 1, 255));
  if (const auto text = args.value("context")) {
    std::error_code ec;
    o.context = dynamo::Context::from_text(*text, ec);
    if (ec) throw UsageError("--context is not a context printed by get or put: " + ec.message());
  } else if (o.command == "remove") {
    throw UsageError("remove needs --context HEX from a get: it removes what that read saw");
  }
  return o;
}

}  // namespace examples
