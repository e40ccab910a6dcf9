#pragma once
// Client<TcpTransport, R>: everything a file needs to run one, with its protocol core,
// ClientCore<TcpTransport>, compiled once in dynamo::tcp_instances instead of in this file. Include
// this instead of client.hpp where a Client uses this transport, and link dynamo::tcp_instances.
// TLS (OpenSSL) is not included.

#include "dynamo/client.hpp"
#include "dynamo/instances/tcp_stream.hpp"

namespace dynamo {

extern template class ClientCore<TcpTransport>;

}  // namespace dynamo
