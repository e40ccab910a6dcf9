// DynamoStore's implementation: the only file of the Boost host that includes dynamo, and with
// it standalone Asio. One Node over TCP on an io_context run by a thread of the store's own.

#include "dynamo_store.hpp"

#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

// Node over TCP with MemoryStorage, its core compiled once (dynamo::tcp_instances).
#include <dynamo/instances/node_tcp_memory.hpp>

namespace boost_host {

using StoreNode = dynamo::Node<dynamo::MemoryStorage, dynamo::TcpTransport>;

namespace {
std::error_code shutdown() { return make_error_code(dynamo::errc::shutdown); }
}  // namespace

struct DynamoStore::Impl {
  explicit Impl(Options o) : options(std::move(o)) {}

  // Hands a completion to the host: copies of the results travel with it.
  template <class... Args>
  void hand_back(std::function<void(Args...)> done, Args... results) {
    options.deliver([done = std::move(done), ... results = std::move(results)]() mutable {
      done(std::move(results)...);
    });
  }

  Options options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::uint16_t port = 0;
  std::optional<StoreNode> node;
  std::thread thread;
  std::atomic<bool> stopped{false};  // then the io thread is gone: calls fail at once
};

DynamoStore::DynamoStore(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (!impl_->options.deliver) {
    throw std::invalid_argument("DynamoStore: Options::deliver is empty");
  }
  dynamo::StreamTransportConfig net;
  net.name = impl_->options.name;
  net.listen = impl_->options.listen;
  dynamo::TcpTransport transport(impl_->io.get_executor(), net);
  impl_->port = transport.local_port();
  dynamo::Config config;
  config.name = impl_->options.name;
  config.members.push_back({config.name, {}, 1, "127.0.0.1:" + std::to_string(impl_->port)});
  config.n = config.r = config.w = 1;
  impl_->node.emplace(impl_->io.get_executor(), config, dynamo::MemoryStorage{},
                      std::move(transport));
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

DynamoStore::~DynamoStore() { stop(); }

std::uint16_t DynamoStore::port() const { return impl_->port; }

void DynamoStore::put(std::string key, std::string value, PutDone done) {
  Impl* impl = impl_.get();
  if (impl->stopped) return impl->hand_back(std::move(done), shutdown());
  // The completions run on the store's thread, where the node (still alive: stop() waits for
  // the node to stop, which completes every pending request first) may be called again.
  impl->node->async_get(key, [impl, key, value = std::move(value), done = std::move(done)](
                                 std::error_code ec, dynamo::GetResult read) mutable {
    if (ec) return impl->hand_back(std::move(done), ec);
    impl->node->async_put(std::move(key), std::move(read.context), std::move(value),
                          [impl, done = std::move(done)](std::error_code put_ec,
                                                         dynamo::WriteResult) mutable {
                            impl->hand_back(std::move(done), put_ec);
                          });
  });
}

void DynamoStore::get(std::string key, GetDone done) {
  Impl* impl = impl_.get();
  if (impl->stopped) {
    return impl->hand_back(std::move(done), shutdown(), std::vector<std::string>{});
  }
  impl->node->async_get(std::move(key), [impl, done = std::move(done)](
                                            std::error_code ec, dynamo::GetResult read) mutable {
    impl->hand_back(std::move(done), ec, std::vector<std::string>(read.values.begin(),
                                                                  read.values.end()));
  });
}

void DynamoStore::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->node->async_stop(asio::use_future).get();
  impl_->work.reset();
  impl_->thread.join();  // nothing of the stopped node is left to run: run() returns
}

}  // namespace boost_host
