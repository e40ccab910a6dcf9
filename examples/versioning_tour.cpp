// A tour of dynamo's value types, the code the README's "Types" section quotes: two clients write
// the same key concurrently, a read returns both siblings with one context, and a write with that
// context supersedes them. Then the key is placed on a ring of three nodes.

#include <iostream>

#include <dynamo/core/context.hpp>
#include <dynamo/core/siblings.hpp>
#include <dynamo/resolve/last_write_wins.hpp>

int main() {
  using namespace dynamo;
  const ActorId node_a{1};  // the coordinator that handles both writes

  // Two blind writes (empty context) through the same coordinator are concurrent: both are kept.
  Siblings cart;
  cart.add(cart.successor(node_a, /*timestamp=*/1000, VectorClock{}, "book", false));
  cart.add(cart.successor(node_a, /*timestamp=*/1001, VectorClock{}, "pen", false));
  std::cout << "after two concurrent writes: " << cart << "\n";

  // A read hands out every sibling and one opaque context covering them all.
  const Context context(cart.clock());
  const std::string token = context.to_text();
  std::cout << "context token: " << token << "\n";

  // The client merges the siblings and writes back with the context: one version remains.
  std::error_code ec;
  const Context returned = Context::from_text(token, ec);
  if (ec) return 1;
  cart.add(cart.successor(node_a, 1002, returned.clock(), "book,pen", false));
  std::cout << "after the merged write: " << cart << "\n";

  // A context that was tampered with is refused, never misread.
  std::string forged = token;
  forged[10] = forged[10] == '0' ? '1' : '0';
  Context::from_text(forged, ec);
  std::cout << "forged context: " << ec.message() << "\n";

  // LastWriteWins, for data that tolerates losing a concurrent write, picks one sibling.
  Siblings pair;
  pair.add(pair.successor(ActorId{2}, 2000, {}, "blue", false));
  pair.add(pair.successor(ActorId{3}, 2001, {}, "green", false));
  std::cout << "last write wins: " << LastWriteWins{}.resolve(pair.versions()).front() << "\n";
  return 0;
}
