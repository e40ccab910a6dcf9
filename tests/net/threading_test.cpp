// Nodes and a Client over TCP whose io_context runs on four threads, given the plain
// io_context executor (no strand of the test's): the node and its transport serialize their
// own handlers, so requests made from several threads at once all succeed and read back what
// was written. The lifecycle label runs it under ASan in CI; a ThreadSanitizer build of this
// suite (README, "Threading") checks that nothing of a node runs on two threads at once.

#include <catch2/catch.hpp>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/use_future.hpp>

#include "net/loopback_cluster.hpp"

using namespace dynamo;
using namespace std::chrono_literals;

namespace {

constexpr int kIoThreads = 4;
constexpr int kCallers = 3;
constexpr int kKeysPerCaller = 60;

std::string key_of(int caller, int i) {
  return "t" + std::to_string(caller) + "-k" + std::to_string(i);
}

}  // namespace

TEST_CASE("a cluster whose io_context runs on four threads serves requests made from three "
          "threads at once",
          "[net][lifecycle][threading]") {
  // Generous timeouts: the point is correctness under concurrency, and a sanitizer build on a
  // loaded machine is slow.
  test::LoopbackCluster<> cluster({}, 5s);
  auto client = cluster.client();
  auto work = asio::make_work_guard(cluster.io);
  std::vector<std::thread> io_threads;
  for (int i = 0; i < kIoThreads; ++i) io_threads.emplace_back([&] { cluster.io.run(); });

  for (auto& [name, node] : cluster.nodes) {
    CHECK_NOTHROW(node->async_ready(10s, asio::use_future).get());
  }
  CHECK_NOTHROW(client->async_ready(10s, asio::use_future).get());

  // Each caller writes its keys through a node of its own and the client, all in flight at once,
  // then reads every key back through another node.
  const std::vector<std::string> names{"a", "b", "c"};
  std::vector<std::thread> callers;
  std::vector<int> failures(kCallers, 0);
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      auto& node = *cluster.nodes[names[c]];
      auto& reader = *cluster.nodes[names[(c + 1) % kCallers]];
      std::vector<std::future<WriteResult>> writes;
      for (int i = 0; i < kKeysPerCaller; ++i) {
        writes.push_back(i % 2 == 0
                             ? node.async_put(key_of(c, i), {}, "v" + std::to_string(i),
                                              asio::use_future)
                             : client->async_put(key_of(c, i), {}, "v" + std::to_string(i),
                                                 asio::use_future));
      }
      for (auto& w : writes) {
        try {
          w.get();
        } catch (const std::system_error&) {
          ++failures[c];
        }
      }
      std::vector<std::future<GetResult>> reads;
      for (int i = 0; i < kKeysPerCaller; ++i) {
        reads.push_back(reader.async_get(key_of(c, i), asio::use_future));
      }
      for (int i = 0; i < kKeysPerCaller; ++i) {
        try {
          if (reads[i].get().values != std::vector<Value>{"v" + std::to_string(i)}) ++failures[c];
        } catch (const std::system_error&) {
          ++failures[c];
        }
      }
    });
  }
  for (auto& t : callers) t.join();
  for (int c = 0; c < kCallers; ++c) {
    INFO("caller " << c);
    CHECK(failures[c] == 0);
  }

  client->async_stop(asio::use_future).get();
  for (auto& [name, node] : cluster.nodes) node->async_stop(asio::use_future).get();
  client.reset();
  cluster.nodes.clear();
  work.reset();
  for (auto& t : io_threads) t.join();
}
