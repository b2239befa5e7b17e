#include "sim/analysis/queueing.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meshsim::sim {
namespace {

TEST(ErlangCTest, OneServerIsTheUtilisation) {
  // M/M/1: an arrival waits exactly when the server is busy, P = ρ.
  EXPECT_NEAR(erlangC(1, 0.5), 0.5, 1e-15);
  EXPECT_NEAR(erlangC(1, 0.9), 0.9, 1e-15);
}

TEST(ErlangCTest, TextbookValues) {
  // c = 2, a = 1 (ρ = 0.5): P0 = 1/3, C = a^c/(c!(1-ρ)) P0 = 1/3.
  EXPECT_NEAR(erlangC(2, 1.0), 1.0 / 3.0, 1e-15);
  // c = 4, ρ = 0.8 (a = 3.2): 0.596432... from the closed-form sum.
  EXPECT_NEAR(erlangC(4, 3.2), 0.5964324717874046, 1e-12);
  EXPECT_EQ(erlangC(4, 0.0), 0.0);
  EXPECT_EQ(erlangC(4, 4.0), 1.0);  // saturated
}

TEST(ErlangCTest, StaysFiniteForManyServers) {
  // a^c / c! overflows a double for c = 500; the Erlang B recursion does not.
  const double c = erlangC(500, 450.0);
  EXPECT_GT(c, 0.0);
  EXPECT_LT(c, 0.1);
}

TEST(MmcQueueTest, OneServerReducesToMm1) {
  // λ = 8, μ = 10: Wq = ρ / (μ - λ) = 0.8 / 2 = 0.4 s, W = Wq + 1/μ = 0.5 s.
  const MmcMetrics m = mmcQueue(8.0, 0.1, 1);
  EXPECT_NEAR(m.utilization, 0.8, 1e-15);
  EXPECT_NEAR(m.wait_probability, 0.8, 1e-15);
  EXPECT_NEAR(m.mean_wait, 0.4, 1e-12);
  EXPECT_NEAR(m.mean_response, 0.5, 1e-12);
}

TEST(MmcQueueTest, TwoServerTextbookValue) {
  // c = 2, λ = 1, μ = 1: C = 1/3, Wq = C / (cμ - λ) = 1/3 s (Lq = 1/3 by Little).
  const MmcMetrics m = mmcQueue(1.0, 1.0, 2);
  EXPECT_NEAR(m.utilization, 0.5, 1e-15);
  EXPECT_NEAR(m.mean_wait, 1.0 / 3.0, 1e-12);
}

TEST(MmcQueueTest, SaturationWaitsForever) {
  const MmcMetrics m = mmcQueue(20.0, 0.1, 2);
  EXPECT_DOUBLE_EQ(m.utilization, 1.0);
  EXPECT_TRUE(std::isinf(m.mean_wait));
}

TEST(ExpectedAttemptsTest, TruncatedGeometricSeries) {
  EXPECT_DOUBLE_EQ(expectedAttempts(0.0, 5), 1.0);
  EXPECT_NEAR(expectedAttempts(0.5, 2), 1.75, 1e-15);  // 1 + 0.5 + 0.25
  EXPECT_NEAR(expectedAttempts(0.3, 2), 1.39, 1e-15);
  EXPECT_NEAR(expectedAttempts(0.2, 0), 1.0, 1e-15);
  EXPECT_DOUBLE_EQ(expectedAttempts(1.0, 3), 4.0);  // every attempt fails: all n + 1 are made
}

}  // namespace
}  // namespace meshsim::sim
