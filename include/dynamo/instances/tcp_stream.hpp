#pragma once
// TcpTransport's shared state, compiled once in dynamo::tcp_instances. Included by every instance
// header over TCP; a program that includes one links dynamo::tcp_instances.

#include "dynamo/transport/tcp_transport.hpp"

namespace dynamo::detail {

extern template class StreamTransportState<PlainStreamTraits>;

}  // namespace dynamo::detail
