#pragma once
// RequestMemory: the client requests a node served recently, so that one a network delivers
// twice is not served twice (coordinating a put twice would make two versions of one write).
// A request is remembered for a fixed horizon (the node uses twice its forward timeout, longer
// than any copy of a request lives).
//
// This runs on every client request: senders are numbered so that an entry holds no string, the
// set is only looked up, never iterated, and a sender is forgotten with its last remembered
// request, so clients that come and go leave nothing behind.
//
// Thread safety: none; its node calls it from one executor.

#include <cassert>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace dynamo {

class RequestMemory {
 public:
  explicit RequestMemory(std::chrono::milliseconds horizon) : horizon_(horizon) {
    assert(horizon.count() > 0);
  }

  // True the first time `from` sends `request_id` within the horizon (remembering it); false for
  // a duplicate. `now` must not go back between calls.
  bool first_delivery(std::string_view from, std::uint64_t request_id,
                      std::chrono::milliseconds now) {
    forget_before(now - horizon_);
    auto sender = senders_.find(from);
    if (sender == senders_.end()) {
      sender = senders_.emplace(std::string(from), Sender{next_sender_number_++, 0}).first;
    }
    const Seen request{sender->second.number, request_id};
    if (!seen_.insert(request).second) return false;
    ++sender->second.remembered;
    recent_.push_back(Recent{now, request, sender});
    return true;
  }

  std::size_t requests() const { return recent_.size(); }
  std::size_t senders() const { return senders_.size(); }

 private:
  using Seen = std::pair<std::uint64_t, std::uint64_t>;  // (sender number, request id)
  struct SeenHash {
    std::size_t operator()(const Seen& r) const noexcept {
      return std::hash<std::uint64_t>{}((r.second * 0x9E3779B97F4A7C15ULL) ^ r.first);
    }
  };
  struct Sender {
    std::uint64_t number = 0;
    std::size_t remembered = 0;  // entries of recent_ from this sender
  };
  using SenderMap = std::map<std::string, Sender, std::less<>>;
  struct Recent {
    std::chrono::milliseconds at;
    Seen request;
    SenderMap::iterator sender;
  };

  void forget_before(std::chrono::milliseconds horizon) {
    while (!recent_.empty() && recent_.front().at < horizon) {
      const Recent& old = recent_.front();
      seen_.erase(old.request);
      if (--old.sender->second.remembered == 0) senders_.erase(old.sender);
      recent_.pop_front();
    }
  }

  std::chrono::milliseconds horizon_;
  SenderMap senders_;
  std::uint64_t next_sender_number_ = 0;
  std::unordered_set<Seen, SeenHash> seen_;
  std::deque<Recent> recent_;
};

}  // namespace dynamo
