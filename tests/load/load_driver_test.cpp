// The load driver's two loops against a fake client whose every request takes a fixed time:
// closed loop measures that time; open loop offers its rate whatever the latency, and counts
// each operation's latency from when it fell due, so a backlog shows (no coordinated omission).

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "load/load_driver.hpp"

namespace {

using namespace std::chrono_literals;

// Answers every request after `service` of wall time, successfully.
class SlowClient {
 public:
  SlowClient(asio::io_context& io, std::chrono::milliseconds service) : io_(io), service_(service) {}

  template <class Handler>
  void async_get(const dynamo::Key&, dynamo::ReadOptions, Handler handler) {
    later([handler = std::move(handler)]() mutable { handler({}, dynamo::GetResult{}); });
  }
  template <class Handler>
  void async_put(const dynamo::Key&, const dynamo::Context&, const dynamo::Value&,
                 dynamo::WriteOptions, Handler handler) {
    later([handler = std::move(handler)]() mutable { handler({}, dynamo::WriteResult{}); });
  }
  int requests() const { return requests_; }

 private:
  template <class F>
  void later(F f) {
    ++requests_;
    auto timer = std::make_shared<asio::steady_timer>(io_, service_);
    timer->async_wait([timer, f = std::move(f)](std::error_code) mutable { f(); });
  }
  asio::io_context& io_;
  std::chrono::milliseconds service_;
  int requests_ = 0;
};

// One second's run phase at `rate` (0: closed loop) from one client with one request in flight,
// each taking 10 ms; also how many requests the client saw.
std::pair<load::PhaseResult, int> run_one_client(double rate) {
  load::Workload w;
  w.records = 10;
  w.duration = 1s;
  w.connections = 1;
  w.in_flight = 1;
  w.target_rate = rate;
  asio::io_context io;
  SlowClient client(io, 10ms);
  load::LoadDriver<SlowClient> driver(io, {&client}, w, 1);
  load::PhaseResult run = driver.run();
  return {std::move(run), client.requests()};
}

}  // namespace

TEST_CASE("closed loop: latency is the service time", "[load]") {
  const auto [run, requests] = run_one_client(0);
  CHECK(requests == static_cast<int>(run.ok));
  CHECK(run.failed == 0);
  CHECK(run.ok > 20);     // one request at a time, 10 ms each, for a second: about 100
  CHECK(run.ok <= 100);
  CHECK(run.all.percentile(0.5) >= 10'000'000);  // nanoseconds
  CHECK(run.all.percentile(0.5) < 100'000'000);
}

TEST_CASE("open loop: the offered rate is kept and a backlog counts in the latency", "[load]") {
  // 200 operations a second for one client that can do 100: every operation is offered, and
  // the later ones wait behind the earlier, so latency from when each fell due grows to about
  // half a second, where the closed loop would report 10 ms.
  const auto [run, requests] = run_one_client(200);
  CHECK(run.failed == 0);
  CHECK(run.ok >= 150);  // 200 fell due within the second (fewer only if this thread stalled)
  CHECK(run.ok <= 200);
  CHECK(requests == static_cast<int>(run.ok));
  CHECK(run.all.percentile(0.99) > 300'000'000);
  CHECK(run.lag.percentile(0.99) > 300'000'000);
  CHECK(run.seconds > 1.5);  // the backlog drains after the schedule ends
}
