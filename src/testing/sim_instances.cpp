// The one instantiation of the simulation's protocol cores that sim_instances.hpp refers to.

#include "dynamo/testing/sim_instances.hpp"

namespace dynamo {

template class NodeCore<testing::SimStorage, testing::SimTransport>;
template class ClientCore<testing::SimTransport>;

}  // namespace dynamo
