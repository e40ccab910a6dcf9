#pragma once
// Every instance header: Node over TCP and TLS with MemoryStorage and LogStorage, and Client over
// TCP and TLS, their cores compiled once in dynamo::tcp_instances and dynamo::tls_instances (both
// linked by dynamo::stream_instances). For programs that choose the transport at run time; a
// program that uses one combination includes its own header (node_tcp_memory.hpp and the like) and
// pays for nothing else.

#include "dynamo/instances/client_tcp.hpp"
#include "dynamo/instances/client_tls.hpp"
#include "dynamo/instances/node_tcp_log.hpp"
#include "dynamo/instances/node_tcp_memory.hpp"
#include "dynamo/instances/node_tls_log.hpp"
#include "dynamo/instances/node_tls_memory.hpp"
