#include "core/lb/p2c_peak_ewma_balancer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/manual_event_loop.h"
#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

// proxy-semantics §5.8: default RTT 30 ms, cost = rtt × (pending + 1).
TEST(PeakEwmaTest, DefaultRttAndPendingCost) {
  ManualEventLoop loop;
  PeakEwma ewma(loop.now());
  EXPECT_DOUBLE_EQ(ewma.load(loop.now()), 30e6);
  ewma.onRequestStart();
  ewma.onRequestStart();
  EXPECT_DOUBLE_EQ(ewma.load(loop.now()), 90e6);
}

// A sample above the estimate replaces it; reads then decay it with τ = 10 s, so after 10 s idle
// it is e^-1 of the peak, whether read once or twice on the way.
TEST(PeakEwmaTest, PeakJumpThenExponentialDecay) {
  ManualEventLoop loop;
  PeakEwma once(loop.now());
  PeakEwma twice(loop.now());
  once.onRequestStart();
  twice.onRequestStart();
  loop.advance(100ms);
  once.onRequestEnd(100ms, loop.now());
  twice.onRequestEnd(100ms, loop.now());
  EXPECT_DOUBLE_EQ(once.rttEstimateNanos(), 100e6);
  EXPECT_EQ(once.pending(), 0U);

  loop.advance(5s);
  twice.load(loop.now());
  EXPECT_NEAR(twice.rttEstimateNanos(), 100e6 * std::exp(-0.5), 1e-3);
  loop.advance(5s);
  EXPECT_NEAR(once.load(loop.now()), 100e6 * std::exp(-1.0), 1e-3);
  EXPECT_NEAR(twice.load(loop.now()), 100e6 * std::exp(-1.0), 1e-3);
}

// A sample below the estimate blends: est·w + sample·(1 − w).
TEST(PeakEwmaTest, LowerSampleBlends) {
  ManualEventLoop loop;
  PeakEwma ewma(loop.now());
  ewma.onRequestStart();
  ewma.onRequestEnd(100ms, loop.now());
  loop.advance(10s);
  ewma.onRequestStart();
  ewma.onRequestEnd(50ms, loop.now());
  const double w = std::exp(-1.0);
  EXPECT_NEAR(ewma.rttEstimateNanos(), 100e6 * w + 50e6 * (1 - w), 1e-3);
}

// Two distinct indices: a = r1 % n, b = r2 % (n−1), shifted past a (§10 item 17). With n = 3,
// r1 = 1 and r2 = 1, sampling with replacement would compare endpoint 1 with itself.
TEST(P2cPeakEwmaBalancerTest, ComparesTwoDistinctEndpoints) {
  ManualEventLoop loop;
  TestHosts hosts = TestHosts::equal(3);
  P2cPeakEwmaBalancer balancer(hosts.priorities[0], loop.now());
  balancer.onRequestStart(hosts[1]);  // endpoint 1 costs 60 ms, the others 30 ms
  ScriptedRandom random{1, 1, 1, 0};
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[2]);
  // a = 1, b = 0: endpoint 0 is cheaper.
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[0]);
  EXPECT_EQ(random.draws(), 4U);
}

TEST(P2cPeakEwmaBalancerTest, NeverSameEndpointTwice) {
  ManualEventLoop loop;
  TestHosts hosts = TestHosts::equal(2);
  P2cPeakEwmaBalancer balancer(hosts.priorities[0], loop.now());
  balancer.onRequestStart(hosts[0]);
  balancer.onRequestStart(hosts[1]);
  balancer.onRequestStart(hosts[1]);
  // Whatever the draws, the two endpoints are compared, so the cheaper one always wins.
  ScriptedRandom random;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[0]);
  }
}

TEST(P2cPeakEwmaBalancerTest, TieKeepsFirstDraw) {
  ManualEventLoop loop;
  TestHosts hosts = TestHosts::equal(3);
  P2cPeakEwmaBalancer balancer(hosts.priorities[0], loop.now());
  ScriptedRandom random{2, 0, 0, 1};
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[2]);
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[0]);
}

TEST(P2cPeakEwmaBalancerTest, OnlyReadyEndpoints) {
  ManualEventLoop loop;
  TestHosts hosts = TestHosts::equal(2);
  P2cPeakEwmaBalancer balancer(hosts.priorities[0], loop.now());
  hosts[0].setOutlierEjected(true);
  balancer.refresh(loop.now());
  ScriptedRandom random;
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[1]);
  EXPECT_EQ(random.draws(), 0U);
  hosts[1].setOutlierEjected(true);
  balancer.refresh(loop.now());
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), nullptr);
}

// Reading loads decays them: a slow endpoint becomes competitive again after idling.
TEST(P2cPeakEwmaBalancerTest, SlowEndpointRecoversByDecay) {
  ManualEventLoop loop;
  TestHosts hosts = TestHosts::equal(2);
  P2cPeakEwmaBalancer balancer(hosts.priorities[0], loop.now());
  balancer.onRequestStart(hosts[0]);
  balancer.onRequestEnd(hosts[0], 1s, loop.now());  // endpoint 0 peaks at 1 s
  ScriptedRandom random;
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[1]);
  // 60 s later endpoint 0's peak has decayed to 1e9·e^-6 ≈ 2.5 ms, while a fresh 30 ms sample
  // holds endpoint 1 at 30 ms.
  loop.advance(60s);
  balancer.onRequestStart(hosts[1]);
  balancer.onRequestEnd(hosts[1], 30ms, loop.now());  // endpoint 1 back to 30 ms (peak jump)
  EXPECT_EQ(balancer.chooseHost(loop.now(), random), &hosts[0]);
}

}  // namespace
}  // namespace meshsim::core
