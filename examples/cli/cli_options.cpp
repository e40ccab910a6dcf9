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
             "  status                           each peer's keys, hints, digest and peer view\n"
             "\n"
             "Options:\n"
             "  --peers LIST           the cluster's nodes as name=host:port, comma-separated.\n"
             "                         Names are needed: nodes are addressed by name.\n"
             "  --peer NAME=HOST:PORT  one node; repeatable, adds to --peers\n"
             "  --timeout-ms MS        per request and node (default 3000)\n"
             "  --cluster NAME         the nodes' cluster name (default dynamo)\n") +
         resolver_usage + tls_usage +
         "\n"
         "Exit codes: 0 done, 1 not found or other failure, 2 usage, bad context or R/W > N,\n"
         "3 no node answered in time, 4 quorum not reached or too few replicas reachable.\n";
}

namespace {

ArgSpec cli_spec() {
  ArgSpec spec;
  spec.with_value = {"peers", "peer", "timeout-ms", "cluster", "resolver", "context", "r", "w"};
  spec.flags = {"help"};
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
    {"get", 1}, {"put", 2}, {"remove", 1}, {"ring", 1}, {"status", 0}};

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
