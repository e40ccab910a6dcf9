#pragma once
// What a caller may ask of one request, and what it gets back besides the error code.

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "dynamo/core/context.hpp"
#include "dynamo/core/siblings.hpp"

namespace dynamo {

// r or w of 0 means the node's configured default. strict counts only the key's top-N home
// replicas toward the quorum (Riak's PR/PW): a sloppy quorum's fallbacks still take the data,
// but the call fails rather than report a success the home replicas have not seen.
struct ReadOptions {
  std::uint32_t r = 0;
  bool strict = false;
};

struct WriteOptions {
  std::uint32_t w = 0;
  bool strict = false;
};

// How far a request got: `replied` of the `required` replicas answered. On errc::unavailable,
// `replied` is how many replicas were reachable; with strict, only home replicas are counted.
struct QuorumReport {
  std::uint32_t replied = 0;
  std::uint32_t required = 0;
  bool strict = false;
  // Coordinators a Client's request moved on from (silent past attempt_timeout, or reported
  // unreachable) before this answer. Above 0 on a write, a coordinator passed over
  // may still have applied it: the key may show this value twice, as concurrent siblings.
  std::uint32_t passed_over = 0;
  friend bool operator==(const QuorumReport&, const QuorumReport&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const QuorumReport& q) {
  return os << q.replied << " of " << q.required << (q.strict ? " primaries" : " replicas");
}

// A get's answer: the resolver's values (none when the key is absent or removed), the context
// to pass to the next put or remove of the same key, which supersedes every version read, and
// the raw siblings.
struct GetResult {
  std::vector<Value> values;
  Context context;
  Siblings siblings;
  QuorumReport quorum;
};

// A put's or remove's answer, as Riak's return_body: the coordinator's siblings of the key with
// the new version among them, and their context. Writing again with that context supersedes
// the caller's own write without a read first, and with it any concurrent sibling listed here,
// so a caller that cares about those merges `siblings` into its next value.
struct WriteResult {
  Context context;
  Siblings siblings;
  QuorumReport quorum;
};

// A node an operator asks the cluster to admit: its name, where it listens (for transports that
// dial by address), its zone and its weight (its share of the partitions relative to the others).
struct NewMember {
  std::string name;
  std::string address;
  std::string zone;
  std::uint32_t weight = 1;
};

// A membership change's answer: the epoch of the ring document that carries it (nodes switch to
// it as gossip brings it; transfers follow), and the claimant's sentence about it.
struct MembershipResult {
  std::uint64_t epoch = 0;
  std::string detail;
};

// How a protocol core reports a request: the siblings read, or for a write the coordinator's
// siblings holding the new version (see WriteResult), and how far the quorum got.
using SiblingsCallback = std::function<void(std::error_code, Siblings, QuorumReport)>;

}  // namespace dynamo
