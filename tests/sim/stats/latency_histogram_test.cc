#include "sim/stats/latency_histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <type_traits>
#include <vector>

#include "sim/random/random_stream.h"

namespace meshsim::sim {
namespace {

// No owned heap storage: copying is a memcpy and record() has nothing to allocate.
static_assert(std::is_trivially_copyable_v<LatencyHistogram>);

double relativeError(double reported, double exact) {
  return std::abs(reported - exact) / exact;
}

TEST(LatencyHistogramTest, LayoutIsContiguousAndEveryMidpointMeetsTheErrorBound) {
  using H = LatencyHistogram;
  EXPECT_LE(H::kMaxRelativeError, 0.01);
  EXPECT_DOUBLE_EQ(H::kMaxRelativeError, 1.0 / 128.0);
  EXPECT_EQ(H::bucketLowerBound(0), 1'000);
  EXPECT_EQ(H::bucketUpperBound(H::kBucketCount - 1), std::int64_t{1} << 42);
  EXPECT_GT(H::kHighestTrackable, std::int64_t{3'600} * 1'000'000'000);  // beyond one hour
  EXPECT_EQ(H::kBucketCount, 2051u);
  for (std::size_t i = 0; i < H::kBucketCount; ++i) {
    const std::int64_t lower = H::bucketLowerBound(i);
    const std::int64_t last = H::bucketUpperBound(i) - 1;
    ASSERT_EQ(H::bucketIndex(lower), i);
    ASSERT_EQ(H::bucketIndex(last), i);
    if (i + 1 < H::kBucketCount) {
      ASSERT_EQ(H::bucketUpperBound(i), H::bucketLowerBound(i + 1));
    }
    const double mid = static_cast<double>(H::bucketMidpoint(i));
    ASSERT_LE(relativeError(mid, static_cast<double>(lower)), H::kMaxRelativeError) << i;
    ASSERT_LE(relativeError(mid, static_cast<double>(last)), H::kMaxRelativeError) << i;
  }
}

TEST(LatencyHistogramTest, UniformMicrosecondsPercentilesWithinStatedError) {
  auto h = std::make_unique<LatencyHistogram>();
  for (std::int64_t us = 1; us <= 100'000; ++us) {
    h->record(us * 1'000);
  }
  EXPECT_EQ(h->count(), 100'000u);
  // Nearest rank: the ceil(q/100 * n)-th smallest value, i.e. q * 1000 µs here.
  for (double q : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9}) {
    const double exact = q * 1'000.0 * 1'000.0;
    EXPECT_LE(relativeError(static_cast<double>(h->percentile(q)), exact),
              LatencyHistogram::kMaxRelativeError)
        << "p" << q << " = " << h->percentile(q);
  }
  EXPECT_EQ(h->percentile(0), 1'000);
  EXPECT_EQ(h->percentile(100), 100'000'000);
  EXPECT_EQ(h->min(), 1'000);
  EXPECT_EQ(h->max(), 100'000'000);
  // Exact mean: (1 + 100000) / 2 µs.
  EXPECT_EQ(h->mean(), 50'000'500.0);
  EXPECT_EQ(h->sum(), 5'000'050'000'000.0);
  // Sample stddev of 1..N µs is sqrt(N(N+1)/12) µs.
  EXPECT_NEAR(h->stddev(), std::sqrt(100'000.0 * 100'001.0 / 12.0) * 1'000.0, 1e-3);
}

TEST(LatencyHistogramTest, ConstantValueAnswersExactly) {
  auto h = std::make_unique<LatencyHistogram>();
  h->record(1'234'567, 1'000);
  for (double q : {0.0, 0.1, 50.0, 99.0, 99.99, 100.0}) {
    EXPECT_EQ(h->percentile(q), 1'234'567) << q;
  }
  EXPECT_EQ(h->mean(), 1'234'567.0);
  EXPECT_EQ(h->stddev(), 0.0);
  int non_empty = 0;
  for (const LatencyHistogram::Bucket& b : h->nonEmptyBuckets()) {
    ++non_empty;
    EXPECT_EQ(b.count, 1'000u);
    EXPECT_LE(b.lower, 1'234'567);
    EXPECT_GT(b.upper, 1'234'567);
  }
  EXPECT_EQ(non_empty, 1);
}

TEST(LatencyHistogramTest, TwoClustersAnswerFromTheRightBucket) {
  auto h = std::make_unique<LatencyHistogram>();
  h->record(std::chrono::microseconds(3'333), 500);
  h->record(std::chrono::milliseconds(250), 500);
  // Ranks 1..500 are the first value, 501..1000 the second.
  EXPECT_EQ(LatencyHistogram::bucketIndex(h->percentile(50.0)),
            LatencyHistogram::bucketIndex(3'333'000));
  EXPECT_EQ(LatencyHistogram::bucketIndex(h->percentile(50.1)),
            LatencyHistogram::bucketIndex(250'000'000));
  EXPECT_LE(relativeError(static_cast<double>(h->percentile(25.0)), 3'333'000.0),
            LatencyHistogram::kMaxRelativeError);
  EXPECT_EQ(h->percentile(75.0), 250'000'000);  // midpoint clamped to max()
  EXPECT_EQ(h->mean(), (3'333'000.0 + 250'000'000.0) / 2.0);
}

TEST(LatencyHistogramTest, OutOfRangeValuesAreClampedAndCounted) {
  auto h = std::make_unique<LatencyHistogram>();
  const std::int64_t two_hours = std::int64_t{7'200} * 1'000'000'000;
  h->record(10);
  h->record(-5);
  h->record(two_hours, 3);
  h->record(5'000);
  EXPECT_EQ(h->count(), 6u);
  EXPECT_EQ(h->underflowCount(), 2u);
  EXPECT_EQ(h->overflowCount(), 3u);
  EXPECT_EQ(h->bucketCount(0), 2u);
  EXPECT_EQ(h->bucketCount(LatencyHistogram::kBucketCount - 1), 3u);
  EXPECT_EQ(h->bucketCount(LatencyHistogram::bucketIndex(5'000)), 1u);
  // Raw extremes and the mean are not clamped.
  EXPECT_EQ(h->min(), -5);
  EXPECT_EQ(h->max(), two_hours);
  EXPECT_EQ(h->percentile(100), two_hours);
  EXPECT_DOUBLE_EQ(h->mean(), (10.0 - 5.0 + 3.0 * static_cast<double>(two_hours) + 5'000.0) / 6.0);
  // p50 is rank 3, the 5 µs value; p60 is rank 4, in the (clamped) last bucket.
  EXPECT_EQ(LatencyHistogram::bucketIndex(h->percentile(50)), LatencyHistogram::bucketIndex(5'000));
  EXPECT_EQ(LatencyHistogram::bucketIndex(h->percentile(60)), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogramTest, EmptyHistogram) {
  auto h = std::make_unique<LatencyHistogram>();
  EXPECT_EQ(h->count(), 0u);
  EXPECT_EQ(h->percentile(50), 0);
  EXPECT_EQ(h->min(), 0);
  EXPECT_EQ(h->max(), 0);
  EXPECT_TRUE(std::isnan(h->mean()));
  EXPECT_TRUE(std::isnan(h->stddev()));
  EXPECT_EQ(h->nonEmptyBuckets().begin(), h->nonEmptyBuckets().end());
  h->record(0, 0);  // a zero count records nothing
  EXPECT_EQ(h->count(), 0u);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingBoth) {
  auto a = std::make_unique<LatencyHistogram>();
  auto b = std::make_unique<LatencyHistogram>();
  auto both = std::make_unique<LatencyHistogram>();
  RandomStream rng(1, 0, "histogram", "merge");
  for (int i = 0; i < 20'000; ++i) {
    // Log-uniform over 100 ns .. ~2 h so the clamps take part too.
    const auto v = static_cast<std::int64_t>(std::exp(std::log(100.0) + 25.0 * rng.uniform01()));
    (i % 3 == 0 ? *a : *b).record(v);
    both->record(v);
  }
  a->merge(*b);
  EXPECT_EQ(a->count(), both->count());
  EXPECT_EQ(a->underflowCount(), both->underflowCount());
  EXPECT_EQ(a->overflowCount(), both->overflowCount());
  EXPECT_GT(a->underflowCount(), 0u);
  EXPECT_GT(a->overflowCount(), 0u);
  EXPECT_EQ(a->min(), both->min());
  EXPECT_EQ(a->max(), both->max());
  EXPECT_EQ(a->mean(), both->mean());
  EXPECT_NEAR(a->stddev(), both->stddev(), 1e-9 * both->stddev());
  for (std::size_t i = 0; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(a->bucketCount(i), both->bucketCount(i)) << i;
  }
  for (double q : {1.0, 50.0, 99.0, 99.99}) {
    EXPECT_EQ(a->percentile(q), both->percentile(q));
  }
}

TEST(LatencyHistogramTest, WeightedRecordEqualsRepeatedRecord) {
  auto repeated = std::make_unique<LatencyHistogram>();
  auto weighted = std::make_unique<LatencyHistogram>();
  for (int i = 0; i < 7; ++i) {
    repeated->record(std::chrono::milliseconds(3));
  }
  repeated->record(std::chrono::milliseconds(9));
  weighted->record(std::chrono::milliseconds(3), 7);
  weighted->record(std::chrono::milliseconds(9), 1);
  EXPECT_EQ(weighted->count(), repeated->count());
  EXPECT_EQ(weighted->mean(), repeated->mean());
  EXPECT_NEAR(weighted->stddev(), repeated->stddev(), 1e-6);
  EXPECT_EQ(weighted->percentile(90), repeated->percentile(90));
}

TEST(LatencyHistogramTest, BucketIterationVisitsNonEmptyBucketsInOrder) {
  auto h = std::make_unique<LatencyHistogram>();
  h->record(50'000'000, 2);
  h->record(2'000, 3);
  h->record(700'000, 5);
  std::vector<LatencyHistogram::Bucket> seen(h->nonEmptyBuckets().begin(),
                                             h->nonEmptyBuckets().end());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].count, 3u);
  EXPECT_EQ(seen[1].count, 5u);
  EXPECT_EQ(seen[2].count, 2u);
  EXPECT_EQ(seen[0].lower, 2'000);  // 2000 = 125 * 16 starts a bucket
  EXPECT_EQ(seen[0].upper, 2'016);
  EXPECT_EQ(seen[1].index, LatencyHistogram::bucketIndex(700'000));
  EXPECT_LE(seen[2].lower, 50'000'000);
  EXPECT_GT(seen[2].upper, 50'000'000);
}

TEST(LatencyHistogramTest, ResetEmptiesEverything) {
  auto h = std::make_unique<LatencyHistogram>();
  h->record(5, 2);
  h->record(5'000'000);
  h->reset();
  EXPECT_EQ(h->count(), 0u);
  EXPECT_EQ(h->underflowCount(), 0u);
  EXPECT_EQ(h->nonEmptyBuckets().begin(), h->nonEmptyBuckets().end());
  h->record(7'000);
  EXPECT_EQ(h->min(), 7'000);
  EXPECT_EQ(h->mean(), 7'000.0);
}

}  // namespace
}  // namespace meshsim::sim
