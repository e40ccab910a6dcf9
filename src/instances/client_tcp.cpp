// ClientCore<TcpTransport>, declared extern in dynamo/instances/client_tcp.hpp.

#include "dynamo/instances/client_tcp.hpp"

namespace dynamo {

template class ClientCore<TcpTransport>;

}  // namespace dynamo
