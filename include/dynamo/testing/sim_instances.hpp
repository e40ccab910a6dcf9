#pragma once
// The simulation's protocol cores are compiled once, in the dynamo::testing library, rather than
// in every file that includes sim_cluster.hpp: instantiating NodeCore is about half of a
// simulation test file's compile time. Whatever includes this header links dynamo::testing.

#include "dynamo/client/client_core.hpp"
#include "dynamo/node/node_core.hpp"
#include "dynamo/testing/sim_storage.hpp"
#include "dynamo/testing/sim_transport.hpp"

namespace dynamo {

extern template class NodeCore<testing::SimStorage, testing::SimTransport>;
extern template class ClientCore<testing::SimTransport>;

}  // namespace dynamo
