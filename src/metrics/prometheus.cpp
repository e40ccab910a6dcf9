// Prometheus' text exposition format (0.0.4) of the node's and client's metrics.

#include "dynamo/metrics/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

namespace dynamo::metrics {
namespace {

using Label = std::pair<std::string_view, std::string_view>;

// Builds the exposition: one HELP and TYPE header per family, then its samples, each labelled
// with the owner (node or client) first.
class Exposition {
 public:
  Exposition(std::string_view owner_label, std::string_view owner)
      : owner_label_(owner_label), owner_(owner) {}

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, const std::vector<Label>& labels, double value) {
    out_ += name;
    out_ += '{';
    label(owner_label_, owner_);
    for (const auto& [k, v] : labels) {
      out_ += ',';
      label(k, v);
    }
    out_ += "} ";
    number(value);
    out_ += '\n';
  }
  // A family of one unlabelled sample.
  void single(std::string_view name, std::string_view type, std::string_view help, double value) {
    family(name, type, help);
    sample(name, {}, value);
  }
  std::string take() { return std::move(out_); }

 private:
  void label(std::string_view key, std::string_view value) {
    out_ += key;
    out_ += "=\"";
    for (const char c : value) {
      if (c == '\\' || c == '"') out_ += '\\';
      if (c == '\n') {
        out_ += "\\n";
        continue;
      }
      out_ += c;
    }
    out_ += '"';
  }
  void number(double v) {
    if (std::isnan(v)) {
      out_ += "NaN";
    } else if (std::isinf(v)) {
      out_ += v > 0 ? "+Inf" : "-Inf";
    } else {
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
      out_.append(buf, ec == std::errc{} ? end : buf);
    }
  }

  std::string_view owner_label_;
  std::string_view owner_;
  std::string out_;
};

// Upper bounds of the latency buckets: powers of two microseconds, 64 us to 33.6 s.
constexpr int first_bound_bits = 6;
constexpr int last_bound_bits = 25;

std::string seconds_label(std::uint64_t us) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<double>(us) / 1e6);
  return std::string(buf, ec == std::errc{} ? end : buf);
}

// Counts by kind and outcome (ok always, other outcomes once they occurred) and a latency
// histogram by kind, each sample with the `role` label when one is given (a node's two kinds of
// operations share the families).
void operation_samples(Exposition& e, std::string_view prefix, const OperationMetrics& m,
                       std::string_view role) {
  const std::string total = std::string(prefix) + "operations_total";
  for (std::size_t k = 0; k < operation_kinds; ++k) {
    const auto kind = static_cast<OperationKind>(k);
    for (std::size_t o = 0; o < operation_outcomes; ++o) {
      const std::uint64_t n = m.count(kind, o);
      if (o != 0 && n == 0) continue;
      std::vector<Label> labels{{"kind", to_string(kind)}, {"outcome", outcome_name(o)}};
      if (!role.empty()) labels.insert(labels.begin(), {"role", role});
      e.sample(total, labels, static_cast<double>(n));
    }
  }
}

void latency_samples(Exposition& e, std::string_view prefix, const OperationMetrics& m,
                     std::string_view role) {
  const std::string name = std::string(prefix) + "operation_duration_seconds";
  for (std::size_t k = 0; k < operation_kinds; ++k) {
    const auto kind = static_cast<OperationKind>(k);
    const LatencySnapshot& h = m.latency_of(kind);
    std::vector<Label> labels{{"kind", to_string(kind)}};
    if (!role.empty()) labels.insert(labels.begin(), {"role", role});
    for (int bits = first_bound_bits; bits <= last_bound_bits; ++bits) {
      const std::uint64_t bound = std::uint64_t{1} << bits;
      const std::string le = seconds_label(bound);
      std::vector<Label> with_le = labels;
      with_le.emplace_back("le", le);
      e.sample(name + "_bucket", with_le, static_cast<double>(h.count_at_most(bound)));
    }
    std::vector<Label> inf = labels;
    inf.emplace_back("le", "+Inf");
    e.sample(name + "_bucket", inf, static_cast<double>(h.count()));
    e.sample(name + "_sum", labels, static_cast<double>(h.sum_us) / 1e6);
    e.sample(name + "_count", labels, static_cast<double>(h.count()));
  }
}

void counter(Exposition& e, std::string_view name, std::string_view help, std::uint64_t value) {
  e.single(name, "counter", help, static_cast<double>(value));
}
void gauge(Exposition& e, std::string_view name, std::string_view help, std::uint64_t value) {
  e.single(name, "gauge", help, static_cast<double>(value));
}

}  // namespace

std::string to_prometheus(const NodeMetrics& m) {
  Exposition e("node", m.node);
  e.family("dynamo_operations_total", "counter",
           "Gets, puts and removes completed, by role (host: the host's own calls; coordinator: "
           "those this node coordinated), kind and outcome.");
  operation_samples(e, "dynamo_", m.requests, "host");
  operation_samples(e, "dynamo_", m.coordinated, "coordinator");
  e.family("dynamo_operation_duration_seconds", "histogram",
           "Latency of gets, puts and removes, by role and kind.");
  latency_samples(e, "dynamo_", m.requests, "host");
  latency_samples(e, "dynamo_", m.coordinated, "coordinator");
  counter(e, "dynamo_quorum_failures_total",
          "Coordinated operations that ended without their quorum (quorum_not_reached).",
          m.quorum_failures());
  counter(e, "dynamo_forwarded_total", "Requests sent on to a home replica of their key.",
          m.forwarded);
  counter(e, "dynamo_hints_stored_total", "Writes kept as hints for an unreachable replica.",
          m.hints_stored);
  counter(e, "dynamo_hints_delivered_total", "Hints their owner acknowledged.",
          m.hints_delivered);
  counter(e, "dynamo_read_repairs_total", "Replicas sent the newer versions a read found.",
          m.read_repairs);
  counter(e, "dynamo_anti_entropy_exchanges_total", "Merkle tree exchanges completed.",
          m.anti_entropy_exchanges);
  counter(e, "dynamo_anti_entropy_keys_sent_total", "Keys sent to peers by anti-entropy.",
          m.anti_entropy_keys_sent);
  counter(e, "dynamo_anti_entropy_keys_repaired_total", "Keys changed here by anti-entropy.",
          m.anti_entropy_keys_repaired);
  counter(e, "dynamo_transfer_keys_fetched_total",
          "Keys received for partitions a membership change added.", m.transfer_keys_fetched);
  counter(e, "dynamo_transfer_keys_dropped_total",
          "Keys dropped once their new replica had fetched them.", m.transfer_keys_dropped);
  counter(e, "dynamo_transfer_keys_handed_off_total",
          "Keys written to their new replicas one by one, then dropped.",
          m.transfer_keys_handed_off);
  counter(e, "dynamo_malformed_frames_total", "Frames dropped because they did not decode.",
          m.malformed_frames);
  counter(e, "dynamo_unmatched_replies_total",
          "Replies that matched no request in flight (late or duplicated).", m.unmatched_replies);
  const NodeGauges& g = m.gauges;
  gauge(e, "dynamo_storage_keys", "Keys stored.", g.keys);
  gauge(e, "dynamo_storage_hints", "Hints kept for unreachable replicas.", g.hints);
  gauge(e, "dynamo_ring_epoch", "Epoch of the ring this node uses.", g.ring_epoch);
  gauge(e, "dynamo_ring_members", "Members of that ring.", g.members);
  gauge(e, "dynamo_transfer_partitions_to_fetch",
        "Partitions still to fetch for the membership change under way.", g.partitions_to_fetch);
  gauge(e, "dynamo_writes_in_flight", "Writes sent and not yet acknowledged.",
        g.writes_in_flight);
  gauge(e, "dynamo_requests_pending", "Requests of every kind in flight.", g.pending);
  e.family("dynamo_peer_state", "gauge",
           "1 for the state this node sees each peer in (up, suspected, down, refused).");
  for (const PeerMetrics& p : g.peers) {
    for (const PeerState s :
         {PeerState::up, PeerState::suspected, PeerState::down, PeerState::refused}) {
      e.sample("dynamo_peer_state", {{"peer", p.name}, {"state", to_string(s)}},
               p.state == s ? 1 : 0);
    }
  }
  e.family("dynamo_peer_phi", "gauge", "The failure detector's suspicion of each peer (phi).");
  for (const PeerMetrics& p : g.peers) e.sample("dynamo_peer_phi", {{"peer", p.name}}, p.phi);
  return e.take();
}

std::string to_prometheus(const ClientMetrics& m) {
  Exposition e("client", m.client);
  e.family("dynamo_client_operations_total", "counter",
           "Gets, puts and removes completed, by kind and outcome.");
  operation_samples(e, "dynamo_client_", m.requests, {});
  e.family("dynamo_client_operation_duration_seconds", "histogram",
           "Latency of gets, puts and removes, end to end, by kind.");
  latency_samples(e, "dynamo_client_", m.requests, {});
  counter(e, "dynamo_client_passed_over_total",
          "Attempts given up on for the next candidate node.", m.passed_over);
  counter(e, "dynamo_client_read_repairs_total",
          "Replicas sent the newer versions a client-coordinated read found.", m.read_repairs);
  counter(e, "dynamo_client_ring_updates_total", "Newer rings taken.", m.ring_updates);
  counter(e, "dynamo_client_unmatched_replies_total",
          "Replies that matched no request in flight.", m.unmatched_replies);
  gauge(e, "dynamo_client_ring_epoch", "Epoch of the ring the client routes by (0: none).",
        m.gauges.ring_epoch);
  gauge(e, "dynamo_client_ring_nodes", "Nodes in that ring.", m.gauges.nodes);
  gauge(e, "dynamo_client_suspected_nodes", "Nodes passed over until they answer again.",
        m.gauges.suspected.size());
  return e.take();
}

}  // namespace dynamo::metrics
