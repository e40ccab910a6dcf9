#pragma once
// Node<LogStorage, TcpTransport, R>: everything a file needs to run one, with its protocol core,
// NodeCore<LogStorage, TcpTransport>, compiled once in dynamo::tcp_instances instead of in this
// file (it is most of a node's compile time). Include this instead of node.hpp where a Node uses
// this combination, and link dynamo::tcp_instances. TLS (OpenSSL) is not included.

#include "dynamo/instances/tcp_stream.hpp"
#include "dynamo/node.hpp"
#include "dynamo/storage/log_storage.hpp"

namespace dynamo {

extern template class NodeCore<LogStorage, TcpTransport>;

}  // namespace dynamo
