#include "sim/stats/warmup_detection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/random/random_stream.h"
#include "tests/sim/stats/normal_samples.h"

namespace meshsim::sim {
namespace {

// 100 decaying exponentially (time constant 100 observations) to a steady state of 10 with unit
// noise. The bias 90 e^(-t/100) falls below the noise's standard deviation at t = 100 ln 90 ≈ 450.
std::vector<double> decayingSeries(std::uint64_t seed, int n) {
  RandomStream rng(seed, 0, "mser", "noise");
  std::vector<double> xs;
  for (int t = 0; t < n; ++t) {
    xs.push_back(10.0 + 90.0 * std::exp(-t / 100.0) + testing::standardNormal(rng));
  }
  return xs;
}

TEST(WarmupDetectionTest, FindsTheEndOfAnInitialTransient) {
  // Seeds 1..5 truncate at 460..555 observations: just past the point where the decay settles.
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const WarmupResult r = mser5(decayingSeries(seed, 5'000));
    EXPECT_EQ(r.batches, 1'000u);
    EXPECT_EQ(r.truncation, 5 * r.truncated_batches);
    EXPECT_GE(r.truncation, 400u) << "seed " << seed;
    EXPECT_LE(r.truncation, 650u) << "seed " << seed;
    EXPECT_FALSE(r.at_search_limit);
  }
}

TEST(WarmupDetectionTest, ReportsTheTruncationAsATime) {
  const std::vector<double> xs = decayingSeries(1, 5'000);
  std::vector<core::MonotonicTime> starts;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    starts.push_back(core::kTimeZero + std::chrono::milliseconds(100 * i));
  }
  const WarmupResult r = mser5(xs, starts);
  ASSERT_TRUE(r.truncation_time.has_value());
  EXPECT_EQ(*r.truncation_time, starts[r.truncation]);
}

TEST(WarmupDetectionTest, ConstantSeriesIsNotTruncated) {
  const WarmupResult r = mser5(std::vector<double>(1'000, 10.0));
  EXPECT_EQ(r.truncation, 0u);
  EXPECT_EQ(r.statistic, 0.0);
}

TEST(WarmupDetectionTest, StationaryNoisySeriesIsBarelyTruncated) {
  // With no transient, only the statistic's own noise can pick d > 0; it stays a small fraction.
  int zero = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    RandomStream rng(seed, 0, "mser", "stationary");
    std::vector<double> xs;
    for (int t = 0; t < 5'000; ++t) {
      xs.push_back(10.0 + testing::standardNormal(rng));
    }
    const WarmupResult r = mser5(xs);
    EXPECT_LE(r.truncation, 250u) << "seed " << seed;  // at most 5 % of the run
    zero += r.truncation == 0 ? 1 : 0;
  }
  EXPECT_GE(zero, 3);
}

TEST(WarmupDetectionTest, NeverSettlingSeriesHitsTheSearchLimit) {
  std::vector<double> trend;
  for (int t = 0; t < 1'000; ++t) {
    trend.push_back(1'000.0 - t);
  }
  const WarmupResult r = mser5(trend);
  EXPECT_EQ(r.truncated_batches, 100u);  // half of the 200 batches
  EXPECT_TRUE(r.at_search_limit);
}

TEST(WarmupDetectionTest, ShortSeriesAreNotTruncated) {
  EXPECT_EQ(mser5({50.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}).truncation, 0u);  // one batch
  EXPECT_EQ(mser5({}).batches, 0u);
}

}  // namespace
}  // namespace meshsim::sim
