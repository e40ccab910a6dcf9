#pragma once
// TlsTransport's shared state, compiled once in dynamo::tls_instances. Included by every instance
// header over TLS; a program that includes one links dynamo::tls_instances.

#include "dynamo/transport/tls_transport.hpp"

namespace dynamo::detail {

extern template class StreamTransportState<TlsStreamTraits>;

}  // namespace dynamo::detail
