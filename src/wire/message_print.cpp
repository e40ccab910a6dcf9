// Printing messages for logs and test failure messages, by walking message_fields.hpp.

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "dynamo/wire/messages.hpp"
#include "message_fields.hpp"

namespace dynamo::wire {
namespace schema {
namespace {

// Byte strings are printed quoted, with non-printable bytes escaped and anything past the first
// max_shown bytes replaced by the total length, so a 16 MiB value does not flood a log.
void print_bytes(std::ostream& os, std::string_view bytes) {
  constexpr std::size_t max_shown = 48;
  os << '"';
  for (const char c : bytes.substr(0, std::min(bytes.size(), max_shown))) {
    const auto u = static_cast<unsigned char>(c);
    if (u == '"' || u == '\\') {
      os << '\\' << c;
    } else if (u >= 0x20 && u < 0x7f) {
      os << c;
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      os << hex;
    }
  }
  os << '"';
  if (bytes.size() > max_shown) os << "...(" << bytes.size() << " bytes)";
}

class FieldPrinter {
 public:
  explicit FieldPrinter(std::ostream& os) : os_(os) {}

  void u8(const char* name, std::uint8_t v) { label(name) << static_cast<unsigned>(v); }
  template <class E>
  void byte_enum(const char* name, E v) { label(name) << v; }
  void u32(const char* name, std::uint32_t v) { label(name) << v; }
  void u64(const char* name, std::uint64_t v) { label(name) << v; }
  void flag(const char* name, bool v) { label(name) << (v ? "true" : "false"); }
  void bytes(const char* name, std::string_view v, Bound) { print_bytes(label(name), v); }
  void siblings(const char* name, const Siblings& s) { label(name) << s; }
  template <class T>
  void nested(const char* name, const T& v) { label(name) << v; }
  // Lists show their first max_shown elements and then their length, as byte strings do.
  template <class T>
  void list(const char* name, const std::vector<T>& v, Count) {
    constexpr std::size_t max_shown = 8;
    std::ostream& os = label(name) << '[';
    for (std::size_t i = 0; i < std::min(v.size(), max_shown); ++i) {
      if (i > 0) os << ", ";
      if constexpr (std::same_as<T, std::uint32_t>) {
        os << v[i];
      } else {
        os << '{';
        FieldPrinter inner(os);
        fields(inner, v[i]);
        os << '}';
      }
    }
    if (v.size() > max_shown) os << ", ...(" << v.size() << " items)";
    os << ']';
  }

 private:
  std::ostream& label(const char* name) {
    os_ << sep_ << name << '=';
    sep_ = ", ";
    return os_;
  }

  std::ostream& os_;
  const char* sep_ = "";
};

template <class T>
std::ostream& print(std::ostream& os, const char* type_name, const T& m) {
  os << type_name << '{';
  FieldPrinter printer(os);
  fields(printer, m);
  return os << '}';
}

}  // namespace
}  // namespace schema

std::ostream& operator<<(std::ostream& os, MessageType t) {
  switch (t) {
    case MessageType::hello: return os << "hello";
    case MessageType::error: return os << "error";
    case MessageType::ring_request: return os << "ring_request";
    case MessageType::ring_reply: return os << "ring_reply";
    case MessageType::client_get: return os << "client_get";
    case MessageType::client_get_reply: return os << "client_get_reply";
    case MessageType::client_put: return os << "client_put";
    case MessageType::client_remove: return os << "client_remove";
    case MessageType::client_write_reply: return os << "client_write_reply";
    case MessageType::replica_read: return os << "replica_read";
    case MessageType::replica_read_reply: return os << "replica_read_reply";
    case MessageType::replica_write: return os << "replica_write";
    case MessageType::hinted_write: return os << "hinted_write";
    case MessageType::replica_write_ack: return os << "replica_write_ack";
    case MessageType::tombstone_check: return os << "tombstone_check";
    case MessageType::tombstone_check_reply: return os << "tombstone_check_reply";
    case MessageType::purge: return os << "purge";
    case MessageType::status_request: return os << "status_request";
    case MessageType::status_reply: return os << "status_reply";
    case MessageType::gossip: return os << "gossip";
    case MessageType::gossip_reply: return os << "gossip_reply";
    case MessageType::tree_compare: return os << "tree_compare";
    case MessageType::tree_compare_reply: return os << "tree_compare_reply";
    case MessageType::leaf_sync: return os << "leaf_sync";
    case MessageType::leaf_sync_reply: return os << "leaf_sync_reply";
    case MessageType::membership_change: return os << "membership_change";
    case MessageType::membership_change_reply: return os << "membership_change_reply";
    case MessageType::partition_fetch: return os << "partition_fetch";
    case MessageType::partition_chunk: return os << "partition_chunk";
  }
  return os << "type(" << static_cast<unsigned>(t) << ')';
}

std::ostream& operator<<(std::ostream& os, const Status& m) {
  return schema::print(os, "Status", m);
}

std::ostream& operator<<(std::ostream& os, const Hello& m) {
  return schema::print(os, "Hello", m);
}

std::ostream& operator<<(std::ostream& os, const Error& m) {
  return schema::print(os, "Error", m);
}

std::ostream& operator<<(std::ostream& os, const RingRequest& m) {
  return schema::print(os, "RingRequest", m);
}

std::ostream& operator<<(std::ostream& os, const RingReply& m) {
  return schema::print(os, "RingReply", m);
}

std::ostream& operator<<(std::ostream& os, const ClientGet& m) {
  return schema::print(os, "ClientGet", m);
}

std::ostream& operator<<(std::ostream& os, const ClientGetReply& m) {
  return schema::print(os, "ClientGetReply", m);
}

std::ostream& operator<<(std::ostream& os, const ClientPut& m) {
  return schema::print(os, "ClientPut", m);
}

std::ostream& operator<<(std::ostream& os, const ClientRemove& m) {
  return schema::print(os, "ClientRemove", m);
}

std::ostream& operator<<(std::ostream& os, const ClientWriteReply& m) {
  return schema::print(os, "ClientWriteReply", m);
}

std::ostream& operator<<(std::ostream& os, const ReplicaRead& m) {
  return schema::print(os, "ReplicaRead", m);
}

std::ostream& operator<<(std::ostream& os, const ReplicaReadReply& m) {
  return schema::print(os, "ReplicaReadReply", m);
}

std::ostream& operator<<(std::ostream& os, const ReplicaWrite& m) {
  return schema::print(os, "ReplicaWrite", m);
}

std::ostream& operator<<(std::ostream& os, const HintedWrite& m) {
  return schema::print(os, "HintedWrite", m);
}

std::ostream& operator<<(std::ostream& os, const ReplicaWriteAck& m) {
  return schema::print(os, "ReplicaWriteAck", m);
}

std::ostream& operator<<(std::ostream& os, const TombstoneCheck& m) {
  return schema::print(os, "TombstoneCheck", m);
}

std::ostream& operator<<(std::ostream& os, const TombstoneCheckReply& m) {
  return schema::print(os, "TombstoneCheckReply", m);
}

std::ostream& operator<<(std::ostream& os, const Purge& m) {
  return schema::print(os, "Purge", m);
}

std::ostream& operator<<(std::ostream& os, const StatusRequest& m) {
  return schema::print(os, "StatusRequest", m);
}

std::ostream& operator<<(std::ostream& os, const StatusReply& m) {
  return schema::print(os, "StatusReply", m);
}

std::ostream& operator<<(std::ostream& os, const Gossip& m) {
  return schema::print(os, "Gossip", m);
}

std::ostream& operator<<(std::ostream& os, const GossipReply& m) {
  return schema::print(os, "GossipReply", m);
}

std::ostream& operator<<(std::ostream& os, const TreeCompare& m) {
  return schema::print(os, "TreeCompare", m);
}

std::ostream& operator<<(std::ostream& os, const TreeCompareReply& m) {
  return schema::print(os, "TreeCompareReply", m);
}

std::ostream& operator<<(std::ostream& os, const LeafSync& m) {
  return schema::print(os, "LeafSync", m);
}

std::ostream& operator<<(std::ostream& os, const LeafSyncReply& m) {
  return schema::print(os, "LeafSyncReply", m);
}

std::ostream& operator<<(std::ostream& os, const MembershipChange& m) {
  return schema::print(os, "MembershipChange", m);
}

std::ostream& operator<<(std::ostream& os, const MembershipChangeReply& m) {
  return schema::print(os, "MembershipChangeReply", m);
}

std::ostream& operator<<(std::ostream& os, const PartitionFetch& m) {
  return schema::print(os, "PartitionFetch", m);
}

std::ostream& operator<<(std::ostream& os, const PartitionChunk& m) {
  return schema::print(os, "PartitionChunk", m);
}

std::ostream& operator<<(std::ostream& os, const PeerState& m) {
  return schema::print(os, "PeerState", m);
}

std::ostream& operator<<(std::ostream& os, const Message& m) {
  return std::visit([&](const auto& alt) -> std::ostream& { return os << alt; }, m);
}

}  // namespace dynamo::wire
