#pragma once
// What a README fragment about Node and Client may take for granted: the values' prelude,
// Asio's completion tokens, and every public header of nodes, clients, storages and transports.

#include "prelude_values.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <dynamo/client.hpp>
#include <dynamo/node.hpp>
#include <dynamo/instances/all.hpp>  // the TCP and TLS cores, compiled once
#include <dynamo/storage/log_storage.hpp>
#include <dynamo/storage/memory_storage.hpp>
#include <dynamo/transport/tcp_transport.hpp>
#include <dynamo/transport/tls_transport.hpp>
