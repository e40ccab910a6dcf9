#pragma once
// Operations by kind and outcome, with their latency: what a Node or Client counts of the gets,
// puts and removes it served. The outcome is the error code the operation completed with: ok,
// one of dynamo::errc, or `other` (an error of another category).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "dynamo/errc.hpp"
#include "dynamo/metrics/counter.hpp"
#include "dynamo/metrics/latency.hpp"

namespace dynamo::metrics {

enum class OperationKind : std::uint8_t { get, put, remove };
inline constexpr std::size_t operation_kinds = 3;
std::string_view to_string(OperationKind kind);

// Outcome index: 0 ok, 1..13 the dynamo::errc of that value, 14 other.
inline constexpr std::size_t operation_outcomes = 15;
inline constexpr std::size_t other_outcome = operation_outcomes - 1;
inline std::size_t outcome_of(std::error_code ec) noexcept {
  if (!ec) return 0;
  const int v = ec.value();
  if (ec.category() != dynamo_category() || v <= 0 || v >= static_cast<int>(other_outcome)) {
    return other_outcome;
  }
  return static_cast<std::size_t>(v);
}
// "ok", the errc's name ("timeout", "quorum_not_reached", ...) or "other".
std::string_view outcome_name(std::size_t outcome);

struct OperationMetrics {
  std::array<std::array<std::uint64_t, operation_outcomes>, operation_kinds> counts{};
  std::array<LatencySnapshot, operation_kinds> latency{};

  std::uint64_t count(OperationKind kind, std::size_t outcome) const {
    return counts[static_cast<std::size_t>(kind)][outcome];
  }
  std::uint64_t count(OperationKind kind, errc e) const {
    return count(kind, static_cast<std::size_t>(e));
  }
  std::uint64_t ok(OperationKind kind) const { return count(kind, std::size_t{0}); }
  std::uint64_t total(OperationKind kind) const;
  std::uint64_t failed(OperationKind kind) const { return total(kind) - ok(kind); }
  const LatencySnapshot& latency_of(OperationKind kind) const {
    return latency[static_cast<std::size_t>(kind)];
  }
};

class OperationRecorder {
 public:
  // REQUIRES: called from one thread only.
  void record(OperationKind kind, std::error_code ec, std::chrono::microseconds latency) noexcept {
    const auto k = static_cast<std::size_t>(kind);
    counts_[k][outcome_of(ec)].add();
    latency_[k].record(latency);
  }
  OperationMetrics snapshot() const;

 private:
  std::array<std::array<Counter, operation_outcomes>, operation_kinds> counts_;
  std::array<LatencyRecorder, operation_kinds> latency_;
};

}  // namespace dynamo::metrics
