#include "sim/stats/time_series.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshsim::sim {
namespace {

using core::kTimeZero;

TEST(TimeSeriesTest, SamplesFallIntoFixedWindowsAndGapsGiveEmptyRows) {
  TimeSeries ts(1s, kTimeZero, {"errors", "retries"});
  ts.record(kTimeZero + 500ms, 10ms);
  ts.increment(kTimeZero + 999ms, 0);
  ts.record(kTimeZero + 1s, 20ms, 2);  // a window's start belongs to it
  ts.record(kTimeZero + 1900ms, 40ms);
  ts.increment(kTimeZero + 1900ms, 1, 3);
  EXPECT_EQ(ts.rows().size(), 1u);
  ts.record(kTimeZero + 3500ms, 5ms);
  ASSERT_EQ(ts.rows().size(), 3u);
  ts.finish(kTimeZero + 4s);
  ASSERT_EQ(ts.rows().size(), 4u);

  const auto& r = ts.rows();
  EXPECT_EQ(r[0].start, kTimeZero);
  EXPECT_EQ(r[0].width, 1s);
  EXPECT_EQ(r[0].count, 1u);
  EXPECT_EQ(r[0].mean_ns, 10e6);
  EXPECT_EQ(r[0].p99_ns, 10'000'000);
  EXPECT_EQ(r[0].counters, (std::vector<std::uint64_t>{1, 0}));

  EXPECT_EQ(r[1].start, kTimeZero + 1s);
  EXPECT_EQ(r[1].count, 3u);
  EXPECT_EQ(r[1].sum_ns, 80e6);
  EXPECT_DOUBLE_EQ(r[1].mean_ns, 80e6 / 3.0);
  EXPECT_EQ(r[1].min_ns, 20'000'000);
  EXPECT_EQ(r[1].max_ns, 40'000'000);
  // Rank 2 of {20, 20, 40} ms: the 20 ms bucket's midpoint.
  EXPECT_EQ(r[1].p50_ns,
            LatencyHistogram::bucketMidpoint(LatencyHistogram::bucketIndex(20'000'000)));
  EXPECT_EQ(r[1].p99_ns, 40'000'000);
  EXPECT_EQ(r[1].counters, (std::vector<std::uint64_t>{0, 3}));

  EXPECT_EQ(r[2].start, kTimeZero + 2s);  // nothing happened in [2 s, 3 s)
  EXPECT_EQ(r[2].count, 0u);
  EXPECT_TRUE(std::isnan(r[2].mean_ns));
  EXPECT_EQ(r[2].p50_ns, 0);
  EXPECT_EQ(r[2].counters, (std::vector<std::uint64_t>{0, 0}));

  EXPECT_EQ(r[3].start, kTimeZero + 3s);
  EXPECT_EQ(r[3].width, 1s);
  EXPECT_EQ(r[3].count, 1u);
}

TEST(TimeSeriesTest, AdvanceToClosesElapsedWindowsForLiveCharts) {
  TimeSeries ts(250ms, kTimeZero + 10s);
  ts.record(kTimeZero + 10s + 100ms, 1ms);
  ts.advanceTo(kTimeZero + 10s + 249ms);
  EXPECT_TRUE(ts.rows().empty());
  EXPECT_EQ(ts.openWindow().count(), 1u);
  ts.advanceTo(kTimeZero + 11s);
  ASSERT_EQ(ts.rows().size(), 4u);
  EXPECT_EQ(ts.rows()[0].count, 1u);
  EXPECT_EQ(ts.rows()[3].start, kTimeZero + 10s + 750ms);
  EXPECT_EQ(ts.openWindowStart(), kTimeZero + 11s);
  EXPECT_EQ(ts.openWindow().count(), 0u);
}

TEST(TimeSeriesTest, FinishClosesAPartialLastWindowWithItsTrueWidth) {
  TimeSeries ts(1s);
  ts.record(kTimeZero + 1200ms, 3ms);
  ts.finish(kTimeZero + 1500ms);
  ASSERT_EQ(ts.rows().size(), 2u);
  EXPECT_EQ(ts.rows()[1].width, 500ms);
  EXPECT_EQ(ts.rows()[1].count, 1u);
  ts.finish(kTimeZero + 9s);  // idempotent
  EXPECT_EQ(ts.rows().size(), 2u);

  TimeSeries aligned(1s);
  aligned.record(kTimeZero + 100ms, 3ms);
  aligned.finish(kTimeZero + 2s);  // ends on a boundary: no empty zero-width row
  EXPECT_EQ(aligned.rows().size(), 2u);
}

TEST(TimeSeriesTest, PercentilesPerWindowStayWithinTheHistogramBound) {
  TimeSeries ts(1s);
  for (int i = 1; i <= 1000; ++i) {
    ts.record(kTimeZero + std::chrono::microseconds(i * 900), std::chrono::microseconds(i * 100));
  }
  ts.finish(kTimeZero + 1s);
  ASSERT_EQ(ts.rows().size(), 1u);
  const TimeSeries::Row& row = ts.rows()[0];
  EXPECT_EQ(row.count, 1000u);
  EXPECT_NEAR(static_cast<double>(row.p90_ns), 90e6, 90e6 * LatencyHistogram::kMaxRelativeError);
  EXPECT_NEAR(static_cast<double>(row.p999_ns), 99.9e6,
              99.9e6 * LatencyHistogram::kMaxRelativeError);
  EXPECT_EQ(row.max_ns, 100'000'000);
}

}  // namespace
}  // namespace meshsim::sim
