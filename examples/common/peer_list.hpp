#pragma once
// Peer lists as the example programs take them: "a=127.0.0.1:7001,b=127.0.0.1:7002". Nodes are
// addressed by name; the founding members all get the same list, and clients any of its nodes.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace examples {

struct PeerAddress {
  std::string name;
  std::string address;  // "host:port"
  friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};

// Parses "name=host:port,..." in the order given. Throws UsageError naming the bad entry: a
// missing name or '=', a host:port with an empty host or a port outside 1..65535, a repeated name.
std::vector<PeerAddress> parse_peer_list(std::string_view text);

// Checks "host:port" as above; `what` names the value in the error. Throws UsageError.
void check_host_port(std::string_view address, std::string_view what, bool allow_port_zero);

// name -> address, as StreamTransportConfig::peers wants it.
std::map<std::string, std::string> to_map(const std::vector<PeerAddress>& peers);
// The names alone, in the order given (by name for a map).
std::vector<std::string> names_of(const std::vector<PeerAddress>& peers);
std::vector<std::string> names_of(const std::map<std::string, std::string>& peers);

}  // namespace examples
