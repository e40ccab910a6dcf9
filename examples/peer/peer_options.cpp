#include "peer/peer_options.hpp"

#include <algorithm>

#include "common/announced_resolver.hpp"
#include "common/args.hpp"
#include "common/tls_flags.hpp"

namespace examples {

std::string peer_usage() {
  return std::string(
             "usage: dynamo-peer --name NAME --peers NAME=HOST:PORT,... [options]\n"
             "\n"
             "Runs one dynamo node. Membership is static for now: start every node with the same\n"
             "--peers list, which names every member, this node included.\n"
             "\n"
             "  --name NAME            this node's name; must appear in --peers\n"
             "  --peers LIST           every member as name=host:port, comma-separated\n"
             "                         (alias --seeds)\n"
             "  --listen HOST:PORT     address to bind (default: this node's entry in --peers)\n"
             "  --n N --r R --w W      replicas per key, read and write quorums (default 3 2 2)\n"
             "  --cluster NAME         nodes of another cluster are refused (default dynamo)\n"
             "  --data-dir DIR         where data will live once durable storage exists; created\n"
             "                         if missing (data is kept in memory for now)\n"
             "  --request-timeout-ms MS  a coordinator's deadline for R or W replies (default 1000)\n"
             "  --hint-interval-ms MS  how often hints are offered to their owners (default 500)\n"
             "  --help                 this text\n") +
         resolver_usage + tls_usage;
}

namespace {

ArgSpec peer_spec() {
  ArgSpec spec;
  spec.with_value = {"name",    "listen",   "peers", "seeds",
                     "n",       "r",        "w",     "cluster",
                     "data-dir", "resolver", "request-timeout-ms", "hint-interval-ms"};
  spec.flags = {"help"};
  add_tls_options(spec);
  return spec;
}

std::string required(const Args& args, std::initializer_list<std::string_view> names) {
  if (auto v = args.first_of(names)) return *v;
  throw UsageError("--" + std::string(*names.begin()) + " is required");
}

}  // namespace

std::optional<PeerOptions> parse_peer_options(int argc, const char* const* argv) {
  const Args args(argc, argv, peer_spec());
  if (args.has("help")) return std::nullopt;
  if (!args.positional().empty()) {
    throw UsageError("unexpected argument \"" + args.positional().front() + "\"");
  }
  PeerOptions o;
  o.name = required(args, {"name"});
  o.members = parse_peer_list(required(args, {"peers", "seeds"}));
  const auto self = std::ranges::find(o.members, o.name, &PeerAddress::name);
  if (self == o.members.end()) {
    throw UsageError("--name " + o.name + " is not in the --peers list");
  }
  o.listen = args.value("listen").value_or(self->address);
  check_host_port(o.listen, "--listen", false);
  const auto quorum = [&](const char* flag, std::uint32_t fallback) {
    return static_cast<std::uint32_t>(args.number(flag, fallback, 0, 255));
  };
  o.n = quorum("n", 3);
  o.r = quorum("r", 2);
  o.w = quorum("w", 2);
  o.cluster = args.value("cluster").value_or("dynamo");
  o.resolver = args.value("resolver").value_or(std::string(AnnouncedResolver::name()));
  o.data_dir = args.value("data-dir");
  o.tls = tls_from_args(args);
  o.request_timeout = std::chrono::milliseconds(args.number("request-timeout-ms", 1000, 1, 600000));
  o.hint_interval = std::chrono::milliseconds(args.number("hint-interval-ms", 500, 1, 600000));
  return o;
}

dynamo::Config node_config(const PeerOptions& o) {
  dynamo::Config config;
  config.cluster = o.cluster;
  config.name = o.name;
  for (const PeerAddress& m : o.members) config.members.push_back({m.name, {}, 1});
  config.n = o.n;
  config.r = o.r;
  config.w = o.w;
  config.request_timeout = o.request_timeout;
  config.forward_timeout = 2 * o.request_timeout;  // a forwarded request waits for the quorum
  config.hint_replay_interval = o.hint_interval;
  return config;
}

}  // namespace examples
