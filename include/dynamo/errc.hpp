#pragma once
// Expected failures of dynamo operations, reported as std::error_code in dynamo's own category.
// Exceptions are kept for programming errors and configuration mistakes found at start-up.

#include <string>
#include <system_error>

namespace dynamo {

// The numeric values travel on the wire inside error replies: never renumber, only append.
enum class errc {
  timeout = 1,            // no answer from any coordinator before the client's deadline
  quorum_not_reached = 2, // fewer than R (or W) replicas answered before the deadline
  bad_context = 3,        // a context token is truncated, tampered with, not ours, or was read
                          // for another key
  malformed_frame = 4,    // a frame or message body does not decode
  too_large = 5,          // a key, value, frame or sibling set exceeds its configured limit
  incompatible_peer = 6,  // a peer uses another protocol, hash, partition count or resolver
  not_found = 7,          // not returned by get: an absent or removed key is a successful get
                          // with no values; kept so that the wire's status numbers stay put
  unknown_message = 8,    // a frame carries a message type this build does not know
  unavailable = 9,        // too few replicas reachable to try; nothing was written
  shutdown = 10,          // the node stopped before the request completed
  invalid_request = 11,   // a request's own options are impossible, e.g. R or W above N
  ring_changing = 12,     // the last ring change is still spreading (or a replica holds another
                          // ring than a client read planned with); try again soon
  resolver_failed = 13,   // the conflict resolver threw on this read's siblings (GetResult still
                          // holds them and their context); nothing else is affected
};

// The category of dynamo::errc; its name() is "dynamo".
const std::error_category& dynamo_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), dynamo_category()};
}

}  // namespace dynamo

template <>
struct std::is_error_code_enum<dynamo::errc> : std::true_type {};
