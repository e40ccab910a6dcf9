#pragma once
// Node<LogStorage, TlsTransport, R>: everything a file needs to run one, with its protocol core,
// NodeCore<LogStorage, TlsTransport>, compiled once in dynamo::tls_instances instead of in this
// file (it is most of a node's compile time). Include this instead of node.hpp where a Node uses
// this combination, and link dynamo::tls_instances.

#include "dynamo/instances/tls_stream.hpp"
#include "dynamo/node.hpp"
#include "dynamo/storage/log_storage.hpp"

namespace dynamo {

extern template class NodeCore<LogStorage, TlsTransport>;

}  // namespace dynamo
