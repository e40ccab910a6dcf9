#pragma once
// measured(): wraps a request's completion so that it counts, by kind and outcome and with its
// latency, in an OperationRecorder. The clock is the transport's (to the microsecond where it
// has one, concepts.hpp FineClock), so simulated latencies are virtual time and reproducible.

#include <chrono>
#include <utility>

#include "dynamo/concepts.hpp"
#include "dynamo/metrics/operations.hpp"
#include "dynamo/quorum/request_options.hpp"

namespace dynamo::detail {

template <Transport T>
std::chrono::microseconds fine_now(const T& transport) {
  if constexpr (FineClock<T>) {
    return transport.now_us();
  } else {
    return transport.now();
  }
}

// REQUIRES: `transport` and `recorder` outlive the returned callback's last call.
template <Transport T>
SiblingsCallback measured(const T& transport, metrics::OperationRecorder& recorder,
                          metrics::OperationKind kind, SiblingsCallback done) {
  return [&transport, &recorder, kind, start = fine_now(transport), done = std::move(done)](
             std::error_code ec, Siblings siblings, QuorumReport report) {
    recorder.record(kind, ec, fine_now(transport) - start);
    done(ec, std::move(siblings), report);
  };
}

}  // namespace dynamo::detail
