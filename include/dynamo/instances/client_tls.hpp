#pragma once
// Client<TlsTransport, R>: everything a file needs to run one, with its protocol core,
// ClientCore<TlsTransport>, compiled once in dynamo::tls_instances instead of in this file. Include
// this instead of client.hpp where a Client uses this transport, and link dynamo::tls_instances.

#include "dynamo/client.hpp"
#include "dynamo/instances/tls_stream.hpp"

namespace dynamo {

extern template class ClientCore<TlsTransport>;

}  // namespace dynamo
