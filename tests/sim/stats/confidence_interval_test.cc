#include "sim/stats/confidence_interval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/random/random_stream.h"
#include "tests/sim/stats/normal_samples.h"

namespace meshsim::sim {
namespace {

TEST(ConfidenceIntervalTest, StudentTQuantilesMatchTables) {
  EXPECT_NEAR(studentTQuantile(0.95, 19), 2.0930240544, 1e-9);
  EXPECT_NEAR(studentTQuantile(0.95, 7), 2.3646242516, 1e-9);
  EXPECT_NEAR(studentTQuantile(0.95, 1), 12.7062047362, 1e-8);
  EXPECT_NEAR(studentTQuantile(0.90, 9), 1.8331129327, 1e-9);
}

TEST(ConfidenceIntervalTest, HandComputedExample) {
  // mean 5, s^2 = 32/7, t(0.975, 7) = 2.3646242516: half width = t * s / sqrt(8).
  const ConfidenceInterval ci = studentT95({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(ci.mean, 5.0);
  EXPECT_NEAR(ci.half_width, 1.7874879182, 1e-9);
  EXPECT_EQ(ci.n, 8u);
  EXPECT_NEAR(ci.lower(), 3.2125120818, 1e-9);
  EXPECT_NEAR(ci.upper(), 6.7874879182, 1e-9);
}

TEST(ConfidenceIntervalTest, TwentyReplicationsUseTEqualTo2093) {
  std::vector<double> values;
  for (int i = 1; i <= 20; ++i) {
    values.push_back(i);
  }
  // mean 10.5, s^2 = 35: half width = 2.0930240544 * sqrt(35) / sqrt(20).
  const ConfidenceInterval ci = studentT95(values);
  EXPECT_DOUBLE_EQ(ci.mean, 10.5);
  EXPECT_NEAR(ci.half_width, 2.7688105680, 1e-9);
  EXPECT_EQ(ci.n, 20u);
}

TEST(ConfidenceIntervalTest, FewerThanTwoValuesGiveAnUnboundedInterval) {
  const ConfidenceInterval one = studentT95({3.5});
  EXPECT_EQ(one.mean, 3.5);
  EXPECT_TRUE(std::isinf(one.half_width));
  EXPECT_EQ(one.n, 1u);
  EXPECT_TRUE(one.contains(1e300));
  const ConfidenceInterval none = studentT95({});
  EXPECT_TRUE(std::isnan(none.mean));
  EXPECT_TRUE(std::isinf(none.half_width));
  EXPECT_EQ(none.n, 0u);
}

TEST(ConfidenceIntervalTest, PairedDifferenceDetectsAClearShiftThatUnpairedIntervalsMiss) {
  // Common random numbers: both variants see the same large replication-to-replication noise;
  // A is consistently 2 higher, give or take 0.5.
  RandomStream rng(3, 0, "paired", "noise");
  std::vector<double> a;
  std::vector<double> b;
  for (int i = 0; i < 10; ++i) {
    const double shared = 100.0 + 30.0 * testing::standardNormal(rng);
    b.push_back(shared);
    a.push_back(shared + 2.0 + 0.5 * testing::standardNormal(rng));
  }
  const PairedComparison paired = pairedDifference(a, b);
  EXPECT_TRUE(paired.significant);
  EXPECT_GT(paired.difference.lower(), 0.0);
  EXPECT_TRUE(paired.difference.contains(2.0));
  EXPECT_EQ(paired.difference.n, 10u);
  // The same data compared as two independent samples: the intervals overlap heavily.
  const ConfidenceInterval ca = studentT95(a);
  const ConfidenceInterval cb = studentT95(b);
  EXPECT_LT(ca.lower(), cb.upper());
  EXPECT_GT(ca.half_width, 10.0 * paired.difference.half_width);

  const PairedComparison reversed = pairedDifference(b, a);
  EXPECT_TRUE(reversed.significant);
  EXPECT_LT(reversed.difference.upper(), 0.0);
}

TEST(ConfidenceIntervalTest, PairedDifferenceOfIdenticalOrBalancedDataIsNotSignificant) {
  const std::vector<double> a = {5.0, 7.0, 9.0, 6.0};
  const PairedComparison same = pairedDifference(a, a);
  EXPECT_FALSE(same.significant);
  EXPECT_EQ(same.difference.mean, 0.0);
  EXPECT_EQ(same.difference.half_width, 0.0);

  const PairedComparison balanced = pairedDifference({6.0, 6.0, 10.0, 5.0}, a);  // +1 -1 +1 -1
  EXPECT_FALSE(balanced.significant);
  EXPECT_EQ(balanced.difference.mean, 0.0);

  const PairedComparison single = pairedDifference({100.0}, {1.0});  // no spread information
  EXPECT_FALSE(single.significant);

  EXPECT_THROW(pairedDifference({1.0, 2.0}, {1.0}), std::invalid_argument);
}

TEST(ConfidenceIntervalTest, BatchMeansWidensTheIntervalOfAnAutocorrelatedSeries) {
  // AR(1) with phi = 0.9 around 0: the variance of the mean is (1 + phi) / (1 - phi) = 19 times
  // what the i.i.d. formula assumes, so the honest interval is about sqrt(19) ≈ 4.4 times wider.
  RandomStream rng(5, 0, "ar1", "noise");
  std::vector<double> series;
  double x = 0.0;
  for (int i = 0; i < 200'000; ++i) {
    x = 0.9 * x + testing::standardNormal(rng);
    series.push_back(x);
  }
  const ConfidenceInterval naive = studentT95(series);
  const ConfidenceInterval batched = batchMeans(series);
  EXPECT_EQ(batched.n, 20u);
  EXPECT_NEAR(batched.mean, naive.mean, 1e-9);
  EXPECT_GT(batched.half_width, 3.0 * naive.half_width);
  EXPECT_LT(batched.half_width, 7.0 * naive.half_width);
  EXPECT_TRUE(batched.contains(0.0));
}

TEST(ConfidenceIntervalTest, BatchMeansOfIndependentDataMatchesTheNaiveInterval) {
  RandomStream rng(6, 0, "iid", "noise");
  std::vector<double> series;
  for (int i = 0; i < 100'000; ++i) {
    series.push_back(testing::standardNormal(rng));
  }
  const double ratio = batchMeans(series).half_width / studentT95(series).half_width;
  EXPECT_GT(ratio, 0.6);
  EXPECT_LT(ratio, 1.6);
}

TEST(ConfidenceIntervalTest, BatchMeansDropsTheRemainderFromTheStart) {
  // 23 values, 20 batches of 1: the three leading 1000s (nearest the warm-up) are dropped.
  std::vector<double> series = {1000.0, 1000.0, 1000.0};
  for (int i = 1; i <= 20; ++i) {
    series.push_back(i);
  }
  const ConfidenceInterval ci = batchMeans(series);
  EXPECT_DOUBLE_EQ(ci.mean, 10.5);
  EXPECT_NEAR(ci.half_width, 2.7688105680, 1e-9);
  EXPECT_EQ(ci.n, 20u);

  const ConfidenceInterval short_series = batchMeans({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(short_series.mean, 2.0);
  EXPECT_TRUE(std::isinf(short_series.half_width));
  EXPECT_EQ(short_series.n, 0u);
}

}  // namespace
}  // namespace meshsim::sim
