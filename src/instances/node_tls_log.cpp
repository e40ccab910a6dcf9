// NodeCore<LogStorage, TlsTransport>, declared extern in dynamo/instances/node_tls_log.hpp.

#include "dynamo/instances/node_tls_log.hpp"

namespace dynamo {

template class NodeCore<LogStorage, TlsTransport>;

}  // namespace dynamo
