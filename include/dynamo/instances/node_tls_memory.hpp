#pragma once
// Node<MemoryStorage, TlsTransport, R>: everything a file needs to run one, with its protocol core,
// NodeCore<MemoryStorage, TlsTransport>, compiled once in dynamo::tls_instances instead of in this
// file (it is most of a node's compile time). Include this instead of node.hpp where a Node uses
// this combination, and link dynamo::tls_instances. LogStorage is not included.

#include "dynamo/instances/tls_stream.hpp"
#include "dynamo/node.hpp"
#include "dynamo/storage/memory_storage.hpp"

namespace dynamo {

extern template class NodeCore<MemoryStorage, TlsTransport>;

}  // namespace dynamo
