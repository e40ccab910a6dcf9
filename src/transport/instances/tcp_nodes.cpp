// NodeCore over TCP, for dynamo/transport/stream_instances.hpp.

#include "dynamo/transport/stream_instances.hpp"

namespace dynamo {

template class NodeCore<MemoryStorage, TcpTransport>;
template class NodeCore<LogStorage, TcpTransport>;

}  // namespace dynamo
