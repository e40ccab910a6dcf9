// NodeCore<MemoryStorage, TcpTransport>, declared extern in dynamo/instances/node_tcp_memory.hpp.

#include "dynamo/instances/node_tcp_memory.hpp"

namespace dynamo {

template class NodeCore<MemoryStorage, TcpTransport>;

}  // namespace dynamo
