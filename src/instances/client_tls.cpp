// ClientCore<TlsTransport>, declared extern in dynamo/instances/client_tls.hpp.

#include "dynamo/instances/client_tls.hpp"

namespace dynamo {

template class ClientCore<TlsTransport>;

}  // namespace dynamo
