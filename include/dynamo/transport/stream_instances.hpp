#pragma once
// The protocol cores over TcpTransport and TlsTransport, with MemoryStorage and LogStorage,
// compiled once in the dynamo::stream_instances library rather than in every file that uses
// them: each NodeCore is some ten seconds of a file's compile time, and a program with a node,
// a client and tests over the network would otherwise compile it in each of those files.
// Include this header where Node or Client is used over TCP or TLS and link
// dynamo::stream_instances; a program that does neither compiles the cores itself, as before.

#include "dynamo/client/client_core.hpp"
#include "dynamo/node/node_core.hpp"
#include "dynamo/storage/log_storage.hpp"
#include "dynamo/storage/memory_storage.hpp"
#include "dynamo/transport/tcp_transport.hpp"
#include "dynamo/transport/tls_transport.hpp"

namespace dynamo {

extern template class NodeCore<MemoryStorage, TcpTransport>;
extern template class NodeCore<LogStorage, TcpTransport>;
extern template class NodeCore<MemoryStorage, TlsTransport>;
extern template class NodeCore<LogStorage, TlsTransport>;
extern template class ClientCore<TcpTransport>;
extern template class ClientCore<TlsTransport>;

namespace detail {
extern template class StreamTransportState<PlainStreamTraits>;
extern template class StreamTransportState<TlsStreamTraits>;
}  // namespace detail

}  // namespace dynamo
