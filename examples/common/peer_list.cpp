#include "common/peer_list.hpp"

#include <algorithm>

#include "common/args.hpp"

namespace examples {

void check_host_port(std::string_view address, std::string_view what, bool allow_port_zero) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw UsageError(std::string(what) + ": \"" + std::string(address) + "\" is not host:port");
  }
  parse_number(address.substr(colon + 1), std::string(what) + " port", allow_port_zero ? 0 : 1,
               65535);
}

std::vector<PeerAddress> parse_peer_list(std::string_view text) {
  std::vector<PeerAddress> peers;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (entry.empty()) continue;
    const auto equals = entry.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      throw UsageError("peer \"" + std::string(entry) +
                       "\" is not name=host:port (peers are addressed by name, e.g. "
                       "a=127.0.0.1:7001)");
    }
    PeerAddress peer{std::string(entry.substr(0, equals)), std::string(entry.substr(equals + 1))};
    check_host_port(peer.address, "peer " + peer.name, false);
    if (std::ranges::find(peers, peer.name, &PeerAddress::name) != peers.end()) {
      throw UsageError("peer " + peer.name + " is listed twice");
    }
    peers.push_back(std::move(peer));
  }
  if (peers.empty()) throw UsageError("the peer list is empty");
  return peers;
}

std::map<std::string, std::string> to_map(const std::vector<PeerAddress>& peers) {
  std::map<std::string, std::string> map;
  for (const PeerAddress& p : peers) map.emplace(p.name, p.address);
  return map;
}

std::vector<std::string> names_of(const std::vector<PeerAddress>& peers) {
  std::vector<std::string> names;
  for (const PeerAddress& p : peers) names.push_back(p.name);
  return names;
}

std::vector<std::string> names_of(const std::map<std::string, std::string>& peers) {
  std::vector<std::string> names;
  for (const auto& [name, address] : peers) names.push_back(name);
  return names;
}

}  // namespace examples
