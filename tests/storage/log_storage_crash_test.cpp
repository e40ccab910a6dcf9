// Kills a writing child process with SIGKILL at random moments, under each durability policy,
// and checks that reopening its directory finds every write the child reported durable, that
// nothing is reported damaged, and that the store takes writes again.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "dynamo/storage/log_storage.hpp"
#include "support/temp_dir.hpp"

namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Child spawn_writer(const std::string& dir, const std::string& policy, int keys,
                   std::uint64_t first) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    const std::string k = std::to_string(keys);
    const std::string f = std::to_string(first);
    ::execl(DYNAMO_LOG_STORAGE_WRITER, DYNAMO_LOG_STORAGE_WRITER, dir.c_str(), policy.c_str(),
            k.c_str(), f.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

// Reads the child's reports for `run`, then kills it and reads what it had written before dying.
std::vector<std::uint64_t> run_and_kill(Child child, std::chrono::milliseconds run) {
  std::string text;
  char buf[65536];
  bool killed = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    if (!killed && text.find('\n') != std::string::npos) {
      deadline = std::min(deadline, std::chrono::steady_clock::now() + run);
      killed = std::chrono::steady_clock::now() >= deadline;
      if (killed) ::kill(child.pid, SIGKILL);
    }
    if (!killed && std::chrono::steady_clock::now() >= deadline) {
      ::kill(child.pid, SIGKILL);
      killed = true;
    }
    // Non-blocking drain: the child writes fast; a blocking read would only return at its death.
    fd_set set;
    FD_ZERO(&set);
    FD_SET(child.out, &set);
    timeval tv{0, 2000};
    if (::select(child.out + 1, &set, nullptr, nullptr, &tv) > 0) {
      const ssize_t n = ::read(child.out, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  ::close(child.out);
  CHECK(WIFSIGNALED(status));
  std::vector<std::uint64_t> durable;
  std::size_t start = text.find('\n') + 1;  // skip the "opened" line
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    durable.push_back(std::stoull(text.substr(start, end - start)));
  }
  return durable;
}

}  // namespace

TEST_CASE("writes reported durable survive SIGKILL at random moments under every policy",
          "[storage][log][crash]") {
  const std::string policy = GENERATE("always", "group", "none");
  CAPTURE(policy);
  std::mt19937_64 rng(std::hash<std::string>{}(policy));
  dynamo::test::TempDir dir;
  constexpr int keys = 500;
  std::map<std::string, std::uint64_t> last_durable;  // key -> newest write reported durable
  std::uint64_t reported = 0;
  for (int round = 0; round < 6; ++round) {
    CAPTURE(round);
    const auto run = std::chrono::milliseconds(20 + rng() % 180);
    const std::uint64_t first = static_cast<std::uint64_t>(round) * 1'000'000'000;
    const auto durable =
        run_and_kill(spawn_writer(dir.path().string(), policy, keys, first), run);
    reported += durable.size();
    for (const std::uint64_t i : durable) {
      auto& newest = last_durable["k" + std::to_string(i % keys)];
      newest = std::max(newest, i);
    }
    dynamo::LogStorageOptions options;
    options.segment_bytes = 64 << 10;
    dynamo::LogStorage store(dir.path(), options);
    CHECK(store.recovery().corrupt.empty());
    for (const auto& [key, newest] : last_durable) {
      const auto pos = dynamo::ring::Position{std::stoull(key.substr(1)), 0};
      const auto stored = store.get(pos, key);
      REQUIRE(stored.has_value());
      // The stored write is the newest reported one or a later write that also made it.
      const std::uint64_t i = std::stoull(stored->versions()[0].value);
      CHECK(i >= newest);
      CHECK(i % keys == newest % keys);
    }
  }
  CHECK(reported > 100);
  std::printf("%s: %llu durable writes reported over 6 kills\n", policy.c_str(), static_cast<unsigned long long>(reported));
}
