#include "sim/stats/running_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "sim/random/random_stream.h"
#include "tests/sim/stats/normal_samples.h"

namespace meshsim::sim {
namespace {

static_assert(std::is_trivially_copyable_v<RunningStats>);

struct TwoPass {
  double mean;
  double variance;
};

TwoPass twoPass(const std::vector<double>& xs) {
  double sum = 0.0;
  for (double x : xs) {
    sum += x;
  }
  const double mean = sum / static_cast<double>(xs.size());
  double ss = 0.0;
  for (double x : xs) {
    ss += (x - mean) * (x - mean);
  }
  return {mean, ss / static_cast<double>(xs.size() - 1)};
}

// Large offset, small spread: the case where the sum-of-squares formula loses every digit.
std::vector<double> offsetSamples(std::uint64_t seed, int n) {
  RandomStream rng(seed, 0, "running_stats", "samples");
  std::vector<double> xs;
  for (int i = 0; i < n; ++i) {
    xs.push_back(1e9 + 3.0 * testing::standardNormal(rng));
  }
  return xs;
}

TEST(RunningStatsTest, MatchesTwoPassComputation) {
  const std::vector<double> xs = offsetSamples(7, 10'000);
  RunningStats s;
  for (double x : xs) {
    s.add(x);
  }
  const TwoPass ref = twoPass(xs);
  EXPECT_EQ(s.count(), 10'000u);
  // 1e-5 at 1e9 is ~1e-14 relative: both computations round at that level.
  EXPECT_NEAR(s.mean(), ref.mean, 1e-5);
  EXPECT_NEAR(s.variance(), ref.variance, 1e-6 * ref.variance);
  EXPECT_NEAR(s.variance(), 9.0, 0.5);
  EXPECT_NEAR(s.populationVariance(), ref.variance * 9'999.0 / 10'000.0, 1e-6 * ref.variance);
  EXPECT_DOUBLE_EQ(s.stddev(), std::sqrt(s.variance()));
  EXPECT_EQ(s.min(), *std::min_element(xs.begin(), xs.end()));
  EXPECT_EQ(s.max(), *std::max_element(xs.begin(), xs.end()));
}

TEST(RunningStatsTest, SmallHandExample) {
  RunningStats s;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) {
    s.add(x);
  }
  EXPECT_DOUBLE_EQ(s.mean(), 5.0);
  EXPECT_DOUBLE_EQ(s.populationVariance(), 4.0);
  EXPECT_DOUBLE_EQ(s.variance(), 32.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.sumSquaredDeviations(), 32.0);
}

TEST(RunningStatsTest, MergeEqualsAddingAll) {
  const std::vector<double> xs = offsetSamples(11, 5'001);
  RunningStats a;
  RunningStats b;
  RunningStats all;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    (i < 1'234 ? a : b).add(xs[i]);
    all.add(xs[i]);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_NEAR(a.mean(), all.mean(), 1e-5);
  EXPECT_NEAR(a.variance(), all.variance(), 1e-6 * all.variance());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());

  RunningStats empty;
  RunningStats copy = all;
  copy.merge(empty);
  EXPECT_EQ(copy.count(), all.count());
  EXPECT_EQ(copy.variance(), all.variance());
  empty.merge(all);
  EXPECT_EQ(empty.mean(), all.mean());
  EXPECT_EQ(empty.variance(), all.variance());
}

TEST(RunningStatsTest, WeightedAddEqualsRepeatedAdd) {
  RunningStats weighted;
  RunningStats repeated;
  weighted.add(3.0, 4);
  weighted.add(10.0, 2);
  for (double x : {3.0, 3.0, 3.0, 3.0, 10.0, 10.0}) {
    repeated.add(x);
  }
  EXPECT_EQ(weighted.count(), 6u);
  EXPECT_DOUBLE_EQ(weighted.mean(), repeated.mean());
  EXPECT_DOUBLE_EQ(weighted.variance(), repeated.variance());
  weighted.add(100.0, 0);
  EXPECT_EQ(weighted.count(), 6u);
  EXPECT_EQ(weighted.max(), 10.0);
}

TEST(RunningStatsTest, EmptyAndSingleValue) {
  RunningStats s;
  EXPECT_TRUE(std::isnan(s.mean()));
  EXPECT_TRUE(std::isnan(s.variance()));
  EXPECT_TRUE(std::isnan(s.min()));
  s.add(42.0);
  EXPECT_EQ(s.mean(), 42.0);
  EXPECT_TRUE(std::isnan(s.variance()));  // needs n >= 2
  EXPECT_EQ(s.populationVariance(), 0.0);
  s.reset();
  EXPECT_EQ(s.count(), 0u);
}

}  // namespace
}  // namespace meshsim::sim
