// The availability ledger and judge (see availability.hpp): what the simulated world promised
// each operation at its start, and whether the operation kept to it.

#include "sim/availability.hpp"

#include <algorithm>
#include <sstream>
#include <string>

namespace dynamo::test {

using namespace std::chrono_literals;

// The bound, from small_config() (sim_support.hpp): gossip_interval 500 ms, phi_threshold 8,
// phi_acceptable_pause 1000 ms (the default), a detector's standard deviation floored at 200 ms.
// A silent peer is marked down once phi passes 8, i.e. once its silence exceeds
//   mean interval + acceptable pause + 5.23 standard deviations
// (the logistic approximation gives phi = 8 at y = 5.23). Heartbeats arrive about once a gossip
// round (mean ~500 ms) with a spread of 200-300 ms, so the silence is 2.5-3.1 s; detectors are
// looked at once a round, which adds up to 500 ms. Measured over scenario seeds 1-20 (426 peers
// marked down): 2.94-3.48 s of silence. A crashed node is known sooner (a frame to it comes
// back refused). So 4 s: 3.5 s and one more gossip round to spare. A request started later has
// its whole request_timeout to itself.
std::chrono::milliseconds availability_bound() { return 4000ms; }

namespace {

// A node that never heard a peer (it just restarted, or the peer just joined) marks it down
// only after acceptable pause + 10 gossip periods of silence since it began to watch it
// (gossip.ipp, detect_failures): 6 s with small_config(), and one round to spare.
constexpr std::chrono::milliseconds first_contact_bound = 6500ms;

const char* kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::get: return "get";
    case OpKind::put: return "put";
    case OpKind::remove: return "remove";
  }
  return "?";
}

}  // namespace

std::string describe(const AvailabilityCounts& c) {
  std::ostringstream os;
  const double percent = c.should_succeed == 0 ? 100.0
                                              : 100.0 * static_cast<double>(c.succeeded) /
                                                    static_cast<double>(c.should_succeed);
  os.precision(3);
  os << std::fixed << "availability: " << c.succeeded << " of " << c.should_succeed
     << " should-succeed operations succeeded (" << percent << "%), judged " << c.judged << " of "
     << c.seen;
  return os.str();
}

AvailabilityLedger::AvailabilityLedger(testing::Simulator& sim, Cluster& cluster,
                                       std::chrono::milliseconds bound)
    : sim_(sim), cluster_(cluster), bound_(bound) {
  world_changed();  // the cluster has just started: its detectors know nothing yet
}

void AvailabilityLedger::world_changed() { changes_.push_back(sim_.now()); }

// A restart starts the restarted node's detectors afresh: it may take first_contact_bound to
// mark down a peer it cannot hear.
void AvailabilityLedger::node_restarted(const std::string& name) {
  world_changed();
  fresh_[name] = sim_.now();
}

// Whether some ring member that restarted or joined less than first_contact_bound ago is up but
// cut off from another up member: one of them may not have marked the other down yet.
bool AvailabilityLedger::fresh_member_cut_off(const ring::Ring& ring) const {
  for (const auto& [name, since] : fresh_) {
    if (sim_.now() - since >= first_contact_bound || !ring.find(name) || !cluster_.is_up(name)) {
      continue;
    }
    for (const ring::Member& m : ring.members()) {
      if (m.name != name && cluster_.is_up(m.name) && sim_.partitioned(name, m.name)) return true;
    }
  }
  return false;
}

// The newest ring any running node holds; a new epoch, or a change starting or completing,
// counts as a fault change, and a node that joined is fresh to every other's detectors.
void AvailabilityLedger::notice_ring() {
  const membership::RingView* newest = newest_view();
  if (!newest) return;
  if (newest->epoch() != ring_epoch_ || newest->stable() != ring_stable_) {
    if (ring_epoch_ != 0) {
      world_changed();
      for (const std::string& name : newest->names()) {
        if (!ring_names_.contains(name)) fresh_[name] = sim_.now();
      }
    }
    ring_names_ = {newest->names().begin(), newest->names().end()};
    ring_epoch_ = newest->epoch();
    ring_stable_ = newest->stable();
  }
}

const membership::RingView* AvailabilityLedger::newest_view() const {
  const membership::RingView* newest = nullptr;
  for (const std::string& name : cluster_.names()) {
    if (!cluster_.is_up(name)) continue;
    const membership::RingView& view = cluster_.node(name).core().ring_view();
    if (!newest || view.epoch() > newest->epoch()) newest = &view;
  }
  return newest;
}

std::size_t AvailabilityLedger::begin(OpKind kind, const std::string& client, const Key& key,
                                      std::uint32_t quorum, bool strict,
                                      std::chrono::milliseconds timeout) {
  notice_ring();
  Op op;
  op.kind = kind;
  op.client = client;
  op.key = key;
  op.quorum = quorum;
  op.strict = strict;
  op.start = sim_.now();
  op.deadline = sim_.now() + timeout;
  const testing::NetworkProfile& net = sim_.network();
  const bool lossless = net.drop == 0.0 && net.duplicate == 0.0;
  const membership::RingView* view = newest_view();
  if (view) {
    const ring::Ring& ring = view->current();
    std::vector<std::string> candidates;
    if (strict) {
      for (ring::NodeIndex i : ring.primaries_for_key(key)) {
        candidates.push_back(ring.member(i).name);
      }
    } else {
      for (const ring::Member& m : ring.members()) candidates.push_back(m.name);
    }
    std::ostringstream world;
    std::uint32_t reachable = 0;
    for (const std::string& name : candidates) {
      const bool up = cluster_.is_up(name);
      const bool cut = up && sim_.partitioned(client, name);
      if (up && !cut) ++reachable;
      world << " " << name << (up ? (cut ? " (cut off)" : " (up)") : " (down)");
    }
    op.should_succeed = reachable >= quorum;
    op.world = (strict ? "home replicas at epoch " : "ring members at epoch ") +
               std::to_string(view->epoch()) + ":" + world.str();
    // During a change a strict operation needs the home replicas of both layouts; the judge
    // counts only the current one's, so it leaves such operations alone.
    op.judgeable = lossless && (!strict || view->stable()) && !fresh_member_cut_off(ring);
  }
  ops_.push_back(std::move(op));
  ++counts_.seen;
  return ops_.size() - 1;
}

void AvailabilityLedger::end(std::size_t id, std::error_code ec) {
  notice_ring();
  Op& op = ops_.at(id);
  op.done = true;
  op.finished = sim_.now();
  op.ec = ec;
}

// Nothing changed from `bound` before the start until the operation finished (or its deadline).
bool AvailabilityLedger::stable_around(const Op& op) const {
  const std::chrono::milliseconds end = op.done ? std::min(op.finished, op.deadline) : op.deadline;
  return std::none_of(changes_.begin(), changes_.end(), [&](std::chrono::milliseconds at) {
    return at <= end && at + bound_ > op.start;
  });
}

std::string AvailabilityLedger::describe(const Op& op) const {
  std::ostringstream os;
  os << "availability: " << kind_name(op.kind) << (op.strict ? " (strict)" : "") << " of "
     << op.key << " by " << op.client << " at " << op.start.count() << " ms needing "
     << op.quorum << " ";
  if (op.done) {
    os << "failed at " << op.finished.count() << " ms: " << op.ec.message();
  } else {
    os << "never completed";
  }
  os << "; " << op.world;
  return os.str();
}

std::vector<std::string> AvailabilityLedger::judge(std::size_t max_lines) {
  notice_ring();
  counts_ = AvailabilityCounts{};
  counts_.seen = ops_.size();
  std::vector<std::string> lines;
  std::size_t unreported = 0;
  for (const Op& op : ops_) {
    if (!op.judgeable || !stable_around(op)) continue;
    ++counts_.judged;
    if (!op.should_succeed) continue;
    ++counts_.should_succeed;
    if (op.done && !op.ec) {
      ++counts_.succeeded;
    } else if (lines.size() < max_lines) {
      lines.push_back(describe(op));
    } else {
      ++unreported;
    }
  }
  if (unreported > 0) {
    lines.push_back("availability: and " + std::to_string(unreported) + " more such operations");
  }
  return lines;
}

}  // namespace dynamo::test
