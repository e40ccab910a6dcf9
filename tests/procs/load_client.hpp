#pragma once
// LoadClient: one dynamo::Client in the test process that drives many requests at once against
// a cluster of dynamo-peer processes, retries what may be retried, and reads every peer's status.
// Key i is "key-<i>" and its value "value-<i>".

#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/connect.hpp"
#include "common/run_until.hpp"
#include "common/status.hpp"
#include "dynamo/client.hpp"

namespace dynamo::test {

inline std::string key_of(std::size_t i) { return "key-" + std::to_string(i); }
inline std::string value_of(std::size_t i) { return "value-" + std::to_string(i); }

// Wall-clock seconds since `start`, for the figures the tests print.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Every status reply, one per line, for a failing test's message.
inline std::string describe(const std::map<std::string, wire::StatusReply>& statuses) {
  std::ostringstream out;
  for (const auto& [name, s] : statuses) out << s << "\n";
  return out.str();
}

struct LoadOutcome {
  std::size_t ok = 0;
  std::size_t retries = 0;
  std::size_t failed = 0;       // gave up after max_attempts, or read a wrong value
  std::string first_failure;    // the first failed key and why, for the test's message
};

template <class Transport>
class LoadClient {
 public:
  using Statuses = std::map<std::string, wire::StatusReply>;  // peers that answered

  static constexpr std::size_t window = 64;  // requests in flight
  static constexpr int max_attempts = 6;

  LoadClient(const std::map<std::string, std::string>& peers, std::optional<TlsConfig> tls,
             std::chrono::milliseconds request_timeout)
      : peers_(peers),
        client_(examples::make_client<Transport>(io_, "load-" + std::to_string(::getpid()),
                                                 peers, request_timeout, tls)) {}

  // Writes keys [first, last). A write that failed or timed out may have landed anyway, so a
  // retry reads the key first and writes with that read's context: it supersedes the earlier
  // attempt instead of standing beside it as a sibling.
  LoadOutcome write_keys(std::size_t first, std::size_t last, WriteOptions options,
                         std::chrono::milliseconds limit) {
    return drive(first, last, limit, [this, options](std::size_t i, int attempt, Finish finish) {
      auto put = [this, i, options, finish](Context context) {
        client_.async_put(key_of(i), std::move(context), value_of(i), options,
                          [finish](std::error_code ec, WriteResult) {
                            finish(ec ? Result::retry : Result::ok, ec.message());
                          });
      };
      if (attempt == 0) return put({});
      client_.async_get(key_of(i), [put, finish](std::error_code ec, GetResult got) {
        if (ec) return finish(Result::retry, "read before retry: " + ec.message());
        put(std::move(got.context));
      });
    });
  }

  // Reads keys [first, last); a key passes when it has a value and every value is its own.
  LoadOutcome read_keys(std::size_t first, std::size_t last, ReadOptions options,
                        std::chrono::milliseconds limit) {
    return drive(first, last, limit, [this, options](std::size_t i, int, Finish finish) {
      client_.async_get(key_of(i), options, [i, finish](std::error_code ec, GetResult got) {
        if (ec) return finish(Result::retry, ec.message());
        const bool right = !got.values.empty() &&
                           std::ranges::all_of(got.values, [&](const Value& v) {
                             return v == value_of(i);
                           });
        finish(right ? Result::ok : Result::wrong,
               std::to_string(got.values.size()) + " value(s), first \"" +
                   (got.values.empty() ? std::string() : got.values.front()) + "\"");
      });
    });
  }

  // Asks every peer for its status at once; peers that do not answer in time are left out.
  Statuses status_all() {
    std::vector<std::string> names;
    for (const auto& [name, address] : peers_) names.push_back(name);
    return status_of(names);
  }

  // The same for the named nodes, which may be any the client knows of from the ring.
  Statuses status_of(const std::vector<std::string>& names) {
    return examples::ask_status(client_, names, io_, std::chrono::seconds(10));
  }

  // Tells the client where a node outside the ring listens (it learns members from the ring).
  void add_peer(const std::string& name, const std::string& address) {
    client_.core().transport().add_peer(name, address);
  }

  // Starts a join through the client; the outcome is filled in while later calls run the
  // client's io_context.
  std::shared_ptr<std::optional<std::error_code>> start_join(NewMember member) {
    auto outcome = std::make_shared<std::optional<std::error_code>>();
    client_.async_join(std::move(member), [outcome](std::error_code ec, MembershipResult) {
      *outcome = ec;
    });
    return outcome;
  }

  // Polls the statuses of `names` (by default every peer) until `done` holds or `limit`
  // passes; returns the last statuses and whether `done` held.
  std::pair<Statuses, bool> wait_for_status(const std::function<bool(const Statuses&)>& done,
                                            std::chrono::milliseconds limit,
                                            std::vector<std::string> names = {}) {
    if (names.empty()) {
      for (const auto& [name, address] : peers_) names.push_back(name);
    }
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      Statuses now = status_of(names);
      if (done(now)) return {std::move(now), true};
      if (std::chrono::steady_clock::now() >= deadline) return {std::move(now), false};
      examples::run_until(io_, [] { return false; }, std::chrono::milliseconds(200));
    }
  }

 private:
  enum class Result { ok, retry, wrong };
  using Finish = std::function<void(Result, std::string)>;
  using Op = std::function<void(std::size_t, int, Finish)>;

  // Runs op for every index in [first, last), `window` at a time; a retry waits 100 ms. The
  // state is shared with the callbacks, which may outlive a call that ran out of time.
  LoadOutcome drive(std::size_t first, std::size_t last, std::chrono::milliseconds limit, Op op) {
    struct State {
      LoadOutcome outcome;
      std::size_t next = 0;
      std::size_t finished = 0;
    };
    auto state = std::make_shared<State>();
    state->next = first;
    auto launch = std::make_shared<std::function<void(std::size_t, int)>>();
    auto fill = [state, launch, first, last] {
      while (state->next < last && (state->next - first) - state->finished < window) {
        (*launch)(state->next++, 0);
      }
    };
    *launch = [this, state, launch, fill, op](std::size_t i, int attempt) {
      op(i, attempt, [this, state, launch, fill, i, attempt](Result r, std::string why) {
        if (r == Result::retry && attempt + 1 < max_attempts) {
          ++state->outcome.retries;
          auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(100));
          timer->async_wait([launch, timer, i, attempt](std::error_code) {
            (*launch)(i, attempt + 1);
          });
          return;
        }
        ++state->finished;
        if (r == Result::ok) {
          ++state->outcome.ok;
        } else if (state->outcome.failed++ == 0) {
          state->outcome.first_failure = key_of(i) + ": " + why;
        }
        fill();
      });
    };
    const std::size_t total = last - first;
    fill();
    examples::run_until(io_, [&] { return state->finished == total; }, limit);
    LoadOutcome outcome = state->outcome;
    outcome.failed += total - state->finished;  // still unfinished when time ran out
    *launch = [](std::size_t, int) {};          // breaks the launch <-> callback cycle
    return outcome;
  }

  asio::io_context io_{1};
  std::map<std::string, std::string> peers_;
  Client<Transport> client_;
};

}  // namespace dynamo::test
