#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "load/key_chooser.hpp"

using load::Distribution;
using load::KeyChooser;

TEST_CASE("uniform key choice covers the records evenly", "[load]") {
  KeyChooser chooser(Distribution::uniform, 100);
  std::mt19937_64 rng(1);
  std::vector<int> hits(100);
  for (int i = 0; i < 100'000; ++i) {
    const auto k = chooser.next(rng);
    REQUIRE(k < 100);
    ++hits[k];
  }
  const auto [low, high] = std::minmax_element(hits.begin(), hits.end());
  CHECK(*low > 800);
  CHECK(*high < 1200);
}

TEST_CASE("zipfian key choice follows 1/rank^0.99 and scrambles the hot records", "[load]") {
  const std::uint64_t records = 10'000;
  KeyChooser chooser(Distribution::zipfian, records);
  std::mt19937_64 rng(2);
  const int draws = 200'000;
  std::vector<int> by_rank(records);
  std::map<std::uint64_t, int> by_key;
  for (int i = 0; i < draws; ++i) {
    const auto r = chooser.rank(rng);
    REQUIRE(r < records);
    ++by_rank[r];
    const auto k = chooser.next(rng);
    REQUIRE(k < records);
    ++by_key[k];
  }
  // The most popular record gets 1 / zeta(n) of the draws (about 10% for n = 10,000).
  const double top = static_cast<double>(by_rank[0]) / draws;
  CHECK(top == Approx(chooser.top_share()).epsilon(0.05));
  // Rank 10 is about 10^0.99 times rarer than rank 1.
  CHECK(static_cast<double>(by_rank[0]) / by_rank[9] == Approx(std::pow(10.0, 0.99)).epsilon(0.15));
  // Scrambled: the hottest key is not key 0, and the 1% hottest keys take most draws.
  std::vector<int> counts;
  for (const auto& [key, count] : by_key) counts.push_back(count);
  std::sort(counts.rbegin(), counts.rend());
  int hottest = 0;
  for (std::size_t i = 0; i < records / 100; ++i) hottest += counts[i];
  CHECK(static_cast<double>(hottest) / draws > 0.4);
  CHECK(by_key[0] < counts[0]);
}

TEST_CASE("key choice refuses an empty record set and names records as YCSB does", "[load]") {
  CHECK_THROWS_AS(KeyChooser(Distribution::zipfian, 0), std::invalid_argument);
  CHECK(load::record_key(42) == "user42");
}
