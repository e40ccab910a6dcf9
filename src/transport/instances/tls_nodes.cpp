// NodeCore over TLS, for dynamo/transport/stream_instances.hpp.

#include "dynamo/transport/stream_instances.hpp"

namespace dynamo {

template class NodeCore<MemoryStorage, TlsTransport>;
template class NodeCore<LogStorage, TlsTransport>;

}  // namespace dynamo
