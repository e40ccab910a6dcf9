#pragma once
// InProcessCluster: three dynamo Nodes in this process, each with its own io_context and thread,
// talking TcpTransport over 127.0.0.1 on ports the OS picks, as a host application embedding
// dynamo would run them (one node per process is the other target: peer_processes.hpp).

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include "dynamo/instances/node_tcp_log.hpp"
#include "dynamo/instances/node_tcp_memory.hpp"

namespace load {

template <class Storage>
class InProcessCluster {
 public:
  using NodeType = dynamo::Node<Storage, dynamo::TcpTransport>;

  // `make_storage(name)` gives each node its storage. The nodes start serving at once.
  template <class MakeStorage>
  InProcessCluster(std::uint32_t n, std::uint32_t r, std::uint32_t w, MakeStorage make_storage) {
    const std::vector<std::string> names{"a", "b", "c"};
    for (const std::string& name : names) {
      auto slot = std::make_unique<Slot>();
      dynamo::StreamTransportConfig t;
      t.name = name;
      t.listen = "127.0.0.1:0";
      for (const auto& [peer, port] : ports_) t.peers[peer] = "127.0.0.1:" + std::to_string(port);
      dynamo::TcpTransport transport(slot->io.get_executor(), t);
      ports_[name] = transport.local_port();
      dynamo::Config c;
      c.name = name;
      c.n = n;
      c.r = r;
      c.w = w;
      for (const std::string& member : names) c.members.push_back({member, {}, 1, {}});
      slot->node = std::make_unique<NodeType>(slot->io.get_executor(), c, make_storage(name),
                                              std::move(transport));
      for (auto& [other, earlier] : slots_) {
        earlier->node->core().transport().add_peer(name, address_of(name));
      }
      slots_[name] = std::move(slot);
    }
    for (auto& [name, slot] : slots_) {
      slot->thread = std::thread([s = slot.get()] { s->io.run(); });
    }
  }

  ~InProcessCluster() {
    for (auto& [name, slot] : slots_) {
      slot->work.reset();
      slot->io.stop();
    }
    for (auto& [name, slot] : slots_) slot->thread.join();
  }

  // name -> "127.0.0.1:port", for clients.
  std::map<std::string, std::string> addresses() const {
    std::map<std::string, std::string> out;
    for (const auto& [name, port] : ports_) out[name] = address_of(name);
    return out;
  }

 private:
  struct Slot {
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::unique_ptr<NodeType> node;
    std::thread thread;
  };

  std::string address_of(const std::string& name) const {
    return "127.0.0.1:" + std::to_string(ports_.at(name));
  }

  std::map<std::string, std::uint16_t> ports_;
  std::map<std::string, std::unique_ptr<Slot>> slots_;
};

}  // namespace load
