#pragma once
// Kept for programs written before the instance headers were split by combination: it includes
// them all (dynamo/instances/all.hpp), TLS and LogStorage included, with dynamo::stream_instances
// to link. New code includes the header of the combination it uses (dynamo/instances/, e.g.
// node_tcp_memory.hpp) and links dynamo::tcp_instances or dynamo::tls_instances. The only file
// under transport/ that reaches above its layer, and only for that compatibility.

#include "dynamo/instances/all.hpp"
