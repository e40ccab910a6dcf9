// NodeCore<LogStorage, TcpTransport>, declared extern in dynamo/instances/node_tcp_log.hpp.

#include "dynamo/instances/node_tcp_log.hpp"

namespace dynamo {

template class NodeCore<LogStorage, TcpTransport>;

}  // namespace dynamo
