// ClientCore and the stream transports' shared state, for dynamo/transport/stream_instances.hpp.

#include "dynamo/transport/stream_instances.hpp"

namespace dynamo {

template class ClientCore<TcpTransport>;
template class ClientCore<TlsTransport>;

namespace detail {
template class StreamTransportState<PlainStreamTraits>;
template class StreamTransportState<TlsStreamTraits>;
}  // namespace detail

}  // namespace dynamo
