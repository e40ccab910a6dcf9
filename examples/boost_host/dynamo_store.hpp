#pragma once
// DynamoStore: a dynamo Node seen from code that cannot include standalone Asio, such as a
// Boost.Asio or Boost.Beast service (Asio 1.22 and Boost.Asio 1.74 in one file: ~150 errors).
// This header includes no Asio at all; dynamo_store.cpp, the one file that includes dynamo,
// runs the node on an io_context and a thread of its own.
//
// The handoff: every completion is given to Options::deliver, on the store's own thread, and
// deliver runs it on the host's side. A Boost.Asio host passes
//   [ex](std::function<void()> f) { boost::asio::post(ex, std::move(f)); }
// so its callbacks run on its own executor and never touch the store's thread.
//
// Thread safety: put and get may be called from any thread, but not while stop() runs. stop()
// blocks until the node has stopped, so it must not be called on the store's thread (from a
// completion that deliver ran there; with boost::asio::post none is).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace boost_host {

class DynamoStore {
 public:
  struct Options {
    std::string name = "store";           // the node's name in its (one-member) cluster
    std::string listen = "127.0.0.1:0";   // where the node listens; port 0: one the OS picks
    // Runs a completion on the host's side; called on the store's thread. Required.
    std::function<void(std::function<void()>)> deliver;
  };
  using PutDone = std::function<void(std::error_code)>;
  // The values of the key (empty when absent), or the error; dynamo::errc codes.
  using GetDone = std::function<void(std::error_code, std::vector<std::string>)>;

  // Starts the node and its thread; throws std::system_error if `listen` cannot be bound.
  explicit DynamoStore(Options options);
  ~DynamoStore();  // stop(), if not done yet
  DynamoStore(const DynamoStore&) = delete;
  DynamoStore& operator=(const DynamoStore&) = delete;

  // The port the node listens on.
  std::uint16_t port() const;
  // Reads the key and writes `value` over every version read.
  void put(std::string key, std::string value, PutDone done);
  void get(std::string key, GetDone done);
  // Stops the node (pending requests complete with dynamo::errc::shutdown, through deliver) and
  // joins the store's thread. Later calls fail with shutdown; calling it again does nothing.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boost_host
