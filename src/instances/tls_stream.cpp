// StreamTransportState<TlsStreamTraits>, declared extern in dynamo/instances/tls_stream.hpp.

#include "dynamo/instances/tls_stream.hpp"

namespace dynamo::detail {

template class StreamTransportState<TlsStreamTraits>;

}  // namespace dynamo::detail
