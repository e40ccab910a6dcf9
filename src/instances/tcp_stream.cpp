// StreamTransportState<PlainStreamTraits>, declared extern in dynamo/instances/tcp_stream.hpp.

#include "dynamo/instances/tcp_stream.hpp"

namespace dynamo::detail {

template class StreamTransportState<PlainStreamTraits>;

}  // namespace dynamo::detail
