// Reads the samples of a Prometheus text exposition and summarizes a node's metrics.

#include "cli/metrics_summary.hpp"

#include <cstdio>
#include <map>
#include <sstream>
#include <string_view>
#include <vector>

namespace examples {
namespace {

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

// name{k="v",...} value: label values unescaped; lines that do not parse are skipped.
std::vector<Sample> parse(const std::string& text) {
  std::vector<Sample> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    std::size_t i = line.find_first_of("{ ");
    if (i == std::string::npos) continue;
    s.name = line.substr(0, i);
    if (line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const auto eq = line.find("=\"", i);
        if (eq == std::string::npos) break;
        std::string key = line.substr(i, eq - i);
        std::string value;
        for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
        }
        s.labels.emplace(std::move(key), std::move(value));
        ++i;  // the closing quote
        if (i < line.size() && line[i] == ',') ++i;
      }
      i = line.find(' ', i);
      if (i == std::string::npos) continue;
    }
    const std::string value = line.substr(i + 1);
    s.value = value == "+Inf" ? 1e300 : std::strtod(value.c_str(), nullptr);
    samples.push_back(std::move(s));
  }
  return samples;
}

double value_of(const std::vector<Sample>& samples, std::string_view name) {
  for (const Sample& s : samples) {
    if (s.name == name) return s.value;
  }
  return 0;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string millis(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, seconds < 0.01 ? "%.2f ms" : "%.0f ms", seconds * 1000);
  return buf;
}

// The smallest bucket bound that holds `fraction` of the samples: "p99 <= 4.10 ms".
std::string percentile(const std::vector<Sample>& samples, const std::string& role,
                       const std::string& kind, double fraction, double count) {
  for (const Sample& s : samples) {
    if (s.name != "dynamo_operation_duration_seconds_bucket") continue;
    if (s.labels.at("role") != role || s.labels.at("kind") != kind) continue;
    if (s.value >= fraction * count) {
      const std::string& le = s.labels.at("le");
      return le == "+Inf" ? std::string("> 33 s") : "<= " + millis(std::strtod(le.c_str(), nullptr));
    }
  }
  return "?";
}

void operations(std::ostringstream& out, const std::vector<Sample>& samples,
                const std::string& role, const std::string& title) {
  bool any = false;
  for (const std::string kind : {"get", "put", "remove"}) {
    double total = 0;
    std::string failures;
    for (const Sample& s : samples) {
      if (s.name != "dynamo_operations_total" || s.labels.at("role") != role ||
          s.labels.at("kind") != kind) {
        continue;
      }
      total += s.value;
      if (s.labels.at("outcome") != "ok" && s.value > 0) {
        failures += (failures.empty() ? "" : ", ") + s.labels.at("outcome") + " " + number(s.value);
      }
    }
    if (total == 0) continue;
    out << "  " << (any ? std::string(title.size(), ' ') : title) << "  " << kind << " "
        << number(total) << (failures.empty() ? "" : " (" + failures + ")") << ", p50 "
        << percentile(samples, role, kind, 0.5, total) << ", p99 "
        << percentile(samples, role, kind, 0.99, total) << "\n";
    any = true;
  }
  if (!any) out << "  " << title << "  none\n";
}

}  // namespace

std::string summarize_metrics(const std::string& text) {
  const std::vector<Sample> samples = parse(text);
  const auto v = [&](std::string_view name) { return number(value_of(samples, name)); };
  std::ostringstream out;
  operations(out, samples, "coordinator", "coordinated");
  operations(out, samples, "host", "host's own");
  out << "  quorum failures " << v("dynamo_quorum_failures_total") << ", forwarded "
      << v("dynamo_forwarded_total") << ", read repairs " << v("dynamo_read_repairs_total")
      << ", anti-entropy " << v("dynamo_anti_entropy_exchanges_total") << " exchanges / "
      << v("dynamo_anti_entropy_keys_repaired_total") << " keys repaired\n";
  out << "  hints stored " << v("dynamo_hints_stored_total") << ", delivered "
      << v("dynamo_hints_delivered_total") << ", held " << v("dynamo_storage_hints")
      << "; keys " << v("dynamo_storage_keys") << "; transfer fetched "
      << v("dynamo_transfer_keys_fetched_total") << ", handed off "
      << v("dynamo_transfer_keys_handed_off_total") << ", partitions to fetch "
      << v("dynamo_transfer_partitions_to_fetch") << "\n";
  out << "  peers:";
  for (const Sample& s : samples) {
    if (s.name != "dynamo_peer_state" || s.value != 1) continue;
    const std::string& peer = s.labels.at("peer");
    double phi = 0;
    for (const Sample& p : samples) {
      if (p.name == "dynamo_peer_phi" && p.labels.at("peer") == peer) phi = p.value;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", phi);
    out << " " << peer << " " << s.labels.at("state") << " (phi " << buf << ")";
  }
  out << "\n";
  return out.str();
}

}  // namespace examples
