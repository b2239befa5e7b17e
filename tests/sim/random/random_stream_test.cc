#include "sim/random/random_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace meshsim::sim {
namespace {

constexpr std::uint64_t kPinnedFirst = 0xb494d524c5f9b6f8;

std::array<std::uint64_t, 8> firstOutputs(RandomStream rng) {
  std::array<std::uint64_t, 8> out{};
  for (std::uint64_t& x : out) {
    x = rng.next();
  }
  return out;
}

// No output shared between two streams' first eight (a chance collision has probability ~2^-58).
void expectUnrelated(const RandomStream& a, const RandomStream& b) {
  const auto x = firstOutputs(a);
  const auto y = firstOutputs(b);
  for (std::uint64_t v : x) {
    EXPECT_EQ(std::count(y.begin(), y.end(), v), 0);
  }
}

TEST(RandomStreamTest, Mix64IsSplitMix64) {
  // SplitMix64 seeded with 0 first outputs 0xe220a8397b1dcdaf (Vigna's reference splitmix64.c).
  static_assert(mix64(0) == 0xe220a8397b1dcdafULL);
  EXPECT_EQ(mix64(0), 0xe220a8397b1dcdafULL);
}

TEST(RandomStreamTest, SameCoordinatesGiveSameSequence) {
  RandomStream a(42, 1, 7, 3);
  RandomStream b(42, 1, 7, 3);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_EQ(a.next(), b.next());
  }
  RandomStream c(42, 1, "reviews-v2", "service-time");
  RandomStream d(42, 1, "reviews-v2", "service-time");
  for (int i = 0; i < 10000; ++i) {
    ASSERT_EQ(c.next(), d.next());
  }
}

TEST(RandomStreamTest, NamedCoordinatesAreHashedNames) {
  EXPECT_EQ(
      firstOutputs(RandomStream(42, 1, "reviews-v2", "service-time")),
      firstOutputs(RandomStream(42, 1, stableHash("reviews-v2"), stableHash("service-time"))));
}

TEST(RandomStreamTest, EachCoordinateSelectsADifferentSequence) {
  const RandomStream base(42, 1, 7, 3);
  expectUnrelated(base, RandomStream(43, 1, 7, 3));
  expectUnrelated(base, RandomStream(42, 2, 7, 3));
  expectUnrelated(base, RandomStream(42, 1, 8, 3));
  expectUnrelated(base, RandomStream(42, 1, 7, 4));
  // Swapping coordinates is not the same stream either.
  expectUnrelated(base, RandomStream(42, 1, 3, 7));
  expectUnrelated(RandomStream(0, 0, 0, 0), RandomStream(0, 0, 0, 1));
  expectUnrelated(RandomStream(1, 0, "a", "b"), RandomStream(1, 0, "b", "a"));
}

TEST(RandomStreamTest, RandomGeneratorPortDrawsTheSameSequence) {
  RandomStream a(5, 0, 0, 0);
  RandomStream b(5, 0, 0, 0);
  core::RandomGenerator& port = b;
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(a.next(), port.random());
  }
}

TEST(RandomStreamTest, PinnedOutput) {
  // Regression pin: any change here changes every scenario's results for a given seed, which
  // must be a deliberate, announced decision (DESIGN.md: same scenario + seed => same outputs).
  RandomStream rng(1, 0, 0, 0);
  const auto out = firstOutputs(rng);
  RandomStream again(1, 0, 0, 0);
  EXPECT_EQ(out, firstOutputs(again));
  EXPECT_EQ(out[0], kPinnedFirst);
}

TEST(RandomStreamTest, UniformRanges) {
  RandomStream rng(9, 0, 0, 0);
  constexpr int kDraws = 200000;
  std::vector<double> u;
  u.reserve(kDraws);
  for (int i = 0; i < kDraws; ++i) {
    const double closed = rng.uniform01();
    ASSERT_GE(closed, 0.0);
    ASSERT_LT(closed, 1.0);
    const double open = rng.uniformOpen01();
    ASSERT_GT(open, 0.0);
    ASSERT_LT(open, 1.0);
    u.push_back(closed);
  }
  // The extreme outputs stay inside their intervals.
  constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};
  static_assert(RandomStream::toUniform01(0) == 0.0);
  static_assert(RandomStream::toUniform01(kAllOnes) == 1.0 - 0x1.0p-53);
  static_assert(RandomStream::toUniformOpen01(0) == 0x1.0p-53);
  static_assert(RandomStream::toUniformOpen01(kAllOnes) == 1.0 - 0x1.0p-53);
  EXPECT_LT(RandomStream::toUniformOpen01(kAllOnes), 1.0);
  EXPECT_GT(RandomStream::toUniformOpen01(0), 0.0);

  // Kolmogorov-Smirnov against U(0,1): D < 1.63 / sqrt(n) (alpha = 0.01).
  std::sort(u.begin(), u.end());
  double d = 0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    d = std::max(d, std::max((static_cast<double>(i) + 1) / kDraws - u[i],
                             u[i] - static_cast<double>(i) / kDraws));
  }
  EXPECT_LT(d, 1.63 / std::sqrt(static_cast<double>(kDraws)));
}

}  // namespace
}  // namespace meshsim::sim
