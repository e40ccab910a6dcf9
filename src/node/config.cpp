#include "dynamo/node/config.hpp"

#include "dynamo/ring/member.hpp"

#include <set>

namespace dynamo {
namespace {

[[noreturn]] void reject(const std::string& what) {
  throw std::invalid_argument("dynamo config: " + what);
}

void require_positive(milliseconds value, const char* field) {
  if (value.count() <= 0) reject(std::string(field) + " must be positive");
}

}  // namespace

void validate(const Config& config) {
  if (config.name.empty()) reject("name is empty");
  const auto check_name = [](const std::string& name) {
    if (!ring::valid_node_name(name)) {
      reject("node name \"" + name + "\" contains '#', which clients use on the wire");
    }
  };
  check_name(config.name);
  if (config.cluster.empty()) reject("cluster is empty");
  if (config.members.empty() && config.seeds.empty()) {
    reject("members and seeds are both empty: a node needs the founding members or a seed");
  }
  if (config.weight == 0) reject("weight must be at least 1");
  std::set<std::string> names;
  for (const MemberConfig& m : config.members) {
    if (m.name.empty()) reject("a member has an empty name");
    check_name(m.name);
    if (m.weight == 0) reject("member " + m.name + " has weight 0");
    if (!names.insert(m.name).second) reject("member " + m.name + " is listed twice");
  }
  ring::validate(config.ring);
  const auto size = static_cast<std::uint32_t>(config.members.size());
  if (config.n == 0) reject("n must be at least 1");
  if (!config.members.empty() && config.n > size) {
    reject("n = " + std::to_string(config.n) + " but the cluster has only " +
           std::to_string(size) + " members");
  }
  if (config.r == 0 || config.r > config.n) reject("r must be in 1..n (n = " + std::to_string(config.n) + ")");
  if (config.w == 0 || config.w > config.n) reject("w must be in 1..n (n = " + std::to_string(config.n) + ")");
  require_positive(config.request_timeout, "request_timeout");
  require_positive(config.forward_timeout, "forward_timeout");
  require_positive(config.suspect_period, "suspect_period");
  require_positive(config.hint_replay_interval, "hint_replay_interval");
  require_positive(config.transfer_check_interval, "transfer_check_interval");
  require_positive(config.tombstone_sweep_interval, "tombstone_sweep_interval");
  require_positive(config.storage_maintenance_interval, "storage_maintenance_interval");
  require_positive(config.storage_maintenance_step, "storage_maintenance_step");
  require_positive(config.gossip_interval, "gossip_interval");
  require_positive(config.anti_entropy_interval, "anti_entropy_interval");
  if (!(config.phi_threshold > 0)) reject("phi_threshold must be positive");
  if (config.phi_acceptable_pause.count() < 0) reject("phi_acceptable_pause must not be negative");
  if (config.merkle_depth < 1 || config.merkle_depth > 4) reject("merkle_depth must be in 1..4");
  if (config.anti_entropy_max_keys == 0) reject("anti_entropy_max_keys must be at least 1");
  if (config.anti_entropy_exchanges == 0) reject("anti_entropy_exchanges must be at least 1");
  if (config.tombstone_grace.count() < 0) reject("tombstone_grace must not be negative");
  if (config.hint_replay_batch == 0) reject("hint_replay_batch must be at least 1");
  if (config.tombstone_sweep_batch == 0) reject("tombstone_sweep_batch must be at least 1");
  if (config.transfer_concurrency == 0) reject("transfer_concurrency must be at least 1");
  if (config.transfer_batch_keys == 0) reject("transfer_batch_keys must be at least 1");
  if (config.transfer_batch_bytes == 0) reject("transfer_batch_bytes must be at least 1");
  require_positive(config.transfer_interval, "transfer_interval");
  if (config.max_clock_entries < 2 || config.max_clock_entries > config.limits.max_clock_entries) {
    reject("max_clock_entries must be in 2.." + std::to_string(config.limits.max_clock_entries));
  }
}

}  // namespace dynamo
