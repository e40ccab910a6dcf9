// NodeCore<MemoryStorage, TlsTransport>, declared extern in dynamo/instances/node_tls_memory.hpp.

#include "dynamo/instances/node_tls_memory.hpp"

namespace dynamo {

template class NodeCore<MemoryStorage, TlsTransport>;

}  // namespace dynamo
