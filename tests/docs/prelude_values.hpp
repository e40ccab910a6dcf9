#pragma once
// What a README fragment about values (versions, siblings, contexts, resolvers) may take for
// granted: the standard library and dynamo's value types, without Asio or the network, which
// would triple its compile time.

#include <cstdio>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <dynamo/concepts.hpp>
#include <dynamo/core/context.hpp>
#include <dynamo/core/siblings.hpp>
#include <dynamo/core/versioned.hpp>
