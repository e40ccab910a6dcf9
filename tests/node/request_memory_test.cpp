// RequestMemory: duplicates within the horizon are refused, and nothing outlives it.

#include <catch2/catch.hpp>

#include "dynamo/node/request_memory.hpp"

using namespace std::chrono_literals;
using dynamo::RequestMemory;

TEST_CASE("a request delivered twice within the horizon is served once", "[request_memory]") {
  RequestMemory memory(100ms);
  CHECK(memory.first_delivery("client-1", 7, 0ms));
  CHECK_FALSE(memory.first_delivery("client-1", 7, 50ms));
  CHECK_FALSE(memory.first_delivery("client-1", 7, 100ms));  // the horizon is inclusive
  // The same id from another sender is another request.
  CHECK(memory.first_delivery("client-2", 7, 50ms));
  CHECK(memory.first_delivery("client-1", 8, 50ms));
  CHECK(memory.requests() == 3);
  CHECK(memory.senders() == 2);
}

TEST_CASE("requests and senders older than the horizon are forgotten", "[request_memory]") {
  RequestMemory memory(100ms);
  for (std::uint64_t id = 1; id <= 50; ++id) {
    CHECK(memory.first_delivery("client-" + std::to_string(id % 5), id, 0ms));
  }
  CHECK(memory.senders() == 5);
  CHECK(memory.first_delivery("late", 1, 101ms));
  CHECK(memory.requests() == 1);  // only the new one
  CHECK(memory.senders() == 1);   // senders leave with their last request
  // Forgotten: the same request again is new (it outlived every copy the network could hold).
  CHECK(memory.first_delivery("client-1", 1, 102ms));
}
