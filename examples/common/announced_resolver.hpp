#pragma once
// AnnouncedResolver: the resolver of programs that never merge values themselves, dynamo-peer
// and dynamo-cli. Nodes and clients exchange their resolver's name at handshake and refuse a
// mismatch, yet a node only stores and replicates opaque versions: merging happens where a read
// is resolved. So these programs announce whatever name the cluster's applications use
// (--resolver, e.g. the shopping cart's "example.cart_orset") and hand every sibling over
// unmerged, as KeepSiblings does.

#include <string>
#include <string_view>

#include <dynamo/resolve/keep_siblings.hpp>

namespace examples {

struct AnnouncedResolver : dynamo::KeepSiblings {
  // The name announced at handshake. REQUIRES: set before a Node or Client is constructed;
  // they copy it once.
  static std::string& announced() {
    static std::string name(dynamo::KeepSiblings::name());
    return name;
  }
  static std::string_view name() { return announced(); }
};

static_assert(dynamo::ConflictResolver<AnnouncedResolver>);

inline constexpr const char* resolver_usage =
    "  --resolver NAME        the cluster's ConflictResolver name, which every node and client\n"
    "                         must share (default dynamo.keep_siblings; the shopping-cart demo\n"
    "                         uses example.cart_orset)\n";

}  // namespace examples
