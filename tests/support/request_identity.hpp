#pragma once
// What the simulation and the loopback tests of issue 15 share: two clients doing requests of
// their own at once (whose answers must never cross), and a conflict resolver that throws.

#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dynamo/quorum/request_options.hpp"
#include "dynamo/resolve/keep_siblings.hpp"

namespace dynamo::test {

// Throws on a value "boom", as a host's merge code might on data it does not expect; keeps
// siblings otherwise, under KeepSiblings' name so it can talk to any node.
struct ThrowingResolver {
  static constexpr std::string_view name() { return KeepSiblings::name(); }
  std::vector<Value> resolve(std::span<const Versioned> versions) const {
    for (const Versioned& v : versions) {
      if (v.value == "boom") throw std::runtime_error("cannot merge boom");
    }
    return KeepSiblings{}.resolve(versions);
  }
};

// The outcome of own_keys_at_once: how many reads finished, and every answer that was not the
// asker's own (or failed).
struct CrossedAnswers {
  int reads_done = 0;
  std::vector<std::string> wrong;
};

// Client `one` writes keys one-0.., client `two` keys two-0.., `count` each, all at once, and
// each reads its key back as soon as its write completes: their requests interleave at every
// node. Run the executor until reads_done reaches 2 * count.
template <class Client>
std::shared_ptr<CrossedAnswers> own_keys_at_once(Client& one, Client& two, int count) {
  auto out = std::make_shared<CrossedAnswers>();
  for (int i = 0; i < count; ++i) {
    for (Client* client : {&one, &two}) {
      const std::string key = (client == &one ? "one-" : "two-") + std::to_string(i);
      client->async_put(key, {}, "value of " + key, [out, client, key](std::error_code ec, WriteResult) {
        if (ec) out->wrong.push_back("put " + key + ": " + ec.message());
        client->async_get(key, [out, key](std::error_code read_ec, GetResult r) {
          ++out->reads_done;
          if (read_ec) return out->wrong.push_back("get " + key + ": " + read_ec.message());
          if (r.values != std::vector<Value>{"value of " + key}) {
            out->wrong.push_back("get " + key + " returned " +
                                 (r.values.empty() ? std::string("nothing") : r.values.front()));
          }
        });
      });
    }
  }
  return out;
}

}  // namespace dynamo::test
