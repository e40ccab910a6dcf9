#include "peer/peer_options.hpp"

#include <algorithm>
#include <cstdlib>

#include "common/announced_resolver.hpp"
#include "common/args.hpp"
#include "common/tls_flags.hpp"

namespace examples {

std::string peer_usage() {
  return std::string(
             "usage: dynamo-peer --name NAME --peers NAME=HOST:PORT,... [options]\n"
             "       dynamo-peer --name NAME --listen HOST:PORT --seeds NAME=HOST:PORT,... [--join]\n"
             "\n"
             "Runs one dynamo node. Start the founding members with the same --peers list, which\n"
             "names each of them, this node included. A node started later (not in --peers) runs\n"
             "outside the ring until it is admitted: by dynamo-cli join, or by itself with --join.\n"
             "The ring a node last saw is kept in its data directory and wins over --peers on a\n"
             "restart. A node that left the ring exits once it has handed off every key.\n"
             "\n"
             "  --name NAME            this node's name\n"
             "  --peers LIST           the founding members as name=host:port, comma-separated\n"
             "  --seeds LIST           nodes to find the cluster through, as name=host:port\n"
             "                         (for a node that is not a founding member)\n"
             "  --listen HOST:PORT     address to bind (default: this node's entry in --peers);\n"
             "                         it is also the address announced when the node joins\n"
             "  --metrics-listen HOST:PORT\n"
             "                         serve the node's metrics over HTTP at /metrics, in\n"
             "                         Prometheus' text format (port 0: any free port, logged)\n"
             "  --join                 ask the cluster to admit this node at start-up, again and\n"
             "                         again until it is a member\n"
             "  --zone ZONE            failure domain, for joining: replicas of a key are spread\n"
             "                         over zones (default \"\")\n"
             "  --weight W             share of the partitions relative to the others, for\n"
             "                         joining (default 1)\n"
             "  --n N --r R --w W      replicas per key, read and write quorums (default 3 2 2)\n"
             "  --cluster NAME         nodes of another cluster are refused (default dynamo)\n"
             "  --data-dir DIR         where this node keeps its data (LogStorage); created if\n"
             "                         missing. Required unless --storage memory\n"
             "  --storage log|memory   durable log-structured storage (default), or memory only:\n"
             "                         everything is lost when the process ends\n"
             "  --sync always|group|none  when a write reaches the disk (default group):\n"
             "                         always: fdatasync per write; group: one fdatasync per batch,\n"
             "                         writes acknowledged after it; none: survives a process crash,\n"
             "                         not a power failure\n"
             "  --group-commit-us US   how long a group commit waits for more writes (default 0)\n"
             "  --segment-mb MB        size at which a log segment is closed (default 64)\n"
             "  --request-timeout-ms MS  a coordinator's deadline for R or W replies (default 1000)\n"
             "  --hint-interval-ms MS  how often hints are offered to their owners (default 500)\n"
             "  --gossip-interval-ms MS  heartbeat gossip period (default 1000)\n"
             "  --phi-threshold PHI    failure detector's suspicion at which a silent peer is\n"
             "                         marked down (default 8; lower detects sooner, errs more)\n"
             "  --anti-entropy-interval-ms MS  one Merkle-tree comparison of a partition with\n"
             "                         another replica per MS (default 200; 0 turns it off)\n"
             "  --transfer-interval-ms MS  pause between two chunks of a partition moving to this\n"
             "                         node after a join or leave (default 10): the transfer's\n"
             "                         throttle\n"
             "  --transfer-check-interval-ms MS  how often a join or leave under way is advanced:\n"
             "                         fetches started, completion checked, keys handed off\n"
             "                         (default 500)\n"
             "  --help                 this text\n") +
         resolver_usage + tls_usage;
}

namespace {

ArgSpec peer_spec() {
  ArgSpec spec;
  spec.with_value = {"name",    "listen",   "peers", "seeds",
                     "n",       "r",        "w",     "cluster",
                     "data-dir", "resolver", "request-timeout-ms", "hint-interval-ms",
                     "storage", "sync",     "group-commit-us", "segment-mb",
                     "gossip-interval-ms", "phi-threshold", "anti-entropy-interval-ms",
                     "zone", "weight", "transfer-interval-ms", "metrics-listen",
                     "transfer-check-interval-ms"};
  spec.flags = {"help", "join"};
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
  if (const auto peers = args.value("peers")) o.members = parse_peer_list(*peers);
  if (const auto seeds = args.value("seeds")) o.seeds = parse_peer_list(*seeds);
  if (o.members.empty() && o.seeds.empty()) {
    throw UsageError("--peers (the founding members) or --seeds (to join later) is required");
  }
  const auto self = std::ranges::find(o.members, o.name, &PeerAddress::name);
  if (self == o.members.end() && !args.value("listen")) {
    throw UsageError("--listen is required: " + o.name + " is not in --peers, so its address "
                     "must be given");
  }
  o.listen = args.value("listen").value_or(self == o.members.end() ? "" : self->address);
  check_host_port(o.listen, "--listen", false);
  o.metrics_listen = args.value("metrics-listen");
  if (o.metrics_listen) check_host_port(*o.metrics_listen, "--metrics-listen", true);
  o.zone = args.value("zone").value_or("");
  o.weight = static_cast<std::uint32_t>(args.number("weight", 1, 1, 1000));
  o.join = args.has("join");
  if (o.founder() && (args.has("zone") || args.has("weight"))) {
    throw UsageError("--zone and --weight describe a node that joins later; the founding members "
                     "in --peers are all of weight 1 in one zone");
  }
  if (o.join && o.founder()) {
    throw UsageError("--join is for a node outside the founding members, and " + o.name +
                     " is in --peers");
  }
  const auto quorum = [&](const char* flag, std::uint32_t fallback) {
    return static_cast<std::uint32_t>(args.number(flag, fallback, 0, 255));
  };
  o.n = quorum("n", 3);
  o.r = quorum("r", 2);
  o.w = quorum("w", 2);
  o.cluster = args.value("cluster").value_or("dynamo");
  o.resolver = args.value("resolver").value_or(std::string(AnnouncedResolver::name()));
  o.data_dir = args.value("data-dir");
  const std::string storage = args.value("storage").value_or("log");
  if (storage != "log" && storage != "memory") {
    throw UsageError("--storage must be log or memory, not \"" + storage + "\"");
  }
  o.durable = storage == "log";
  if (o.durable && !o.data_dir) {
    throw UsageError("--data-dir is required (or --storage memory to keep data in memory only)");
  }
  const std::string sync = args.value("sync").value_or("group");
  const auto policy = dynamo::parse_sync_policy(sync);
  if (!policy) throw UsageError("--sync must be always, group or none, not \"" + sync + "\"");
  o.log.sync = *policy;
  o.log.group_commit_window = std::chrono::microseconds(args.number("group-commit-us", 0, 0, 1'000'000));
  o.log.segment_bytes = static_cast<std::uint64_t>(args.number("segment-mb", 64, 1, 4095)) << 20;
  o.tls = tls_from_args(args);
  o.request_timeout = std::chrono::milliseconds(args.number("request-timeout-ms", 1000, 1, 600000));
  o.hint_interval = std::chrono::milliseconds(args.number("hint-interval-ms", 500, 1, 600000));
  o.gossip_interval =
      std::chrono::milliseconds(args.number("gossip-interval-ms", 1000, 10, 600000));
  o.anti_entropy_interval =
      std::chrono::milliseconds(args.number("anti-entropy-interval-ms", 200, 0, 600000));
  o.transfer_interval =
      std::chrono::milliseconds(args.number("transfer-interval-ms", 10, 1, 600000));
  o.transfer_check_interval =
      std::chrono::milliseconds(args.number("transfer-check-interval-ms", 500, 1, 600000));
  if (const auto phi = args.value("phi-threshold")) {
    char* end = nullptr;
    o.phi_threshold = std::strtod(phi->c_str(), &end);
    if (end == phi->c_str() || *end != '\0' || !(o.phi_threshold > 0 && o.phi_threshold < 100)) {
      throw UsageError("--phi-threshold must be a number between 0 and 100, not \"" + *phi + "\"");
    }
  }
  return o;
}

bool PeerOptions::founder() const {
  return std::ranges::find(members, name, &PeerAddress::name) != members.end();
}

dynamo::Config node_config(const PeerOptions& o) {
  dynamo::Config config;
  config.cluster = o.cluster;
  config.name = o.name;
  for (const PeerAddress& m : o.members) config.members.push_back({m.name, {}, 1, m.address});
  config.seeds = names_of(o.seeds);
  config.address = o.listen;
  config.zone = o.zone;
  config.weight = o.weight;
  config.transfer_interval = o.transfer_interval;
  config.n = o.n;
  config.r = o.r;
  config.w = o.w;
  config.request_timeout = o.request_timeout;
  config.forward_timeout = 2 * o.request_timeout;  // a forwarded request waits for the quorum
  config.hint_replay_interval = o.hint_interval;
  config.transfer_check_interval = o.transfer_check_interval;
  config.gossip_interval = o.gossip_interval;
  config.phi_threshold = o.phi_threshold;
  config.anti_entropy = o.anti_entropy_interval.count() > 0;
  if (config.anti_entropy) config.anti_entropy_interval = o.anti_entropy_interval;
  return config;
}

}  // namespace examples
