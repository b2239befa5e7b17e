#include "core/circuit_breaker/resource_manager.h"

#include <gtest/gtest.h>

#include "core/common/manual_event_loop.h"

namespace meshsim::core {
namespace {

constexpr std::uint64_t k2To32Minus1 = 4294967295ULL;

TEST(CircuitBreakerThresholdsTest, EnvoyDefaults) {
  const auto t = CircuitBreakerThresholds::envoyDefaults();
  EXPECT_EQ(t.max_connections, 1024u);
  EXPECT_EQ(t.max_pending_requests, 1024u);
  EXPECT_EQ(t.max_requests, 1024u);
  EXPECT_EQ(t.max_retries, 3u);
  EXPECT_EQ(t.max_connection_pools, std::numeric_limits<std::uint64_t>::max());
  EXPECT_FALSE(t.retry_budget.has_value());
  EXPECT_FALSE(t.track_remaining);
}

TEST(CircuitBreakerThresholdsTest, IstioEmitsTwoTo32MinusOneEverywhere) {
  const auto t = CircuitBreakerThresholds::istioDefaults();
  EXPECT_EQ(t.max_connections, k2To32Minus1);
  EXPECT_EQ(t.max_pending_requests, k2To32Minus1);
  EXPECT_EQ(t.max_requests, k2To32Minus1);
  EXPECT_EQ(t.max_retries, k2To32Minus1);
  EXPECT_TRUE(t.track_remaining);
  EXPECT_FALSE(t.retry_budget.has_value());
}

TEST(RetryBudgetTest, Defaults) {
  const RetryBudget b;
  EXPECT_DOUBLE_EQ(b.budget_percent, 20.0);
  EXPECT_EQ(b.min_retry_concurrency, 3u);
  EXPECT_EQ(b.budget_interval, Duration::zero());
}

class ResourceManagerTest : public ::testing::Test {
 protected:
  ResourceManager& make(const CircuitBreakerThresholds& t) {
    manager_ = std::make_unique<ResourceManager>(t, stats_, loop_);
    return *manager_;
  }
  ManualEventLoop loop_;
  ClusterStats stats_;
  std::unique_ptr<ResourceManager> manager_;
};

TEST_F(ResourceManagerTest, LimitsUseConfiguredMaxima) {
  CircuitBreakerThresholds t;
  t.max_connections = 2;
  t.max_pending_requests = 3;
  t.max_requests = 4;
  t.max_retries = 5;
  t.max_connection_pools = 6;
  ResourceManager& rm = make(t);
  EXPECT_EQ(rm.connections().max(), 2u);
  EXPECT_EQ(rm.pendingRequests().max(), 3u);
  EXPECT_EQ(rm.requests().max(), 4u);
  EXPECT_EQ(rm.retries().max(), 5u);
  EXPECT_EQ(rm.connectionPools().max(), 6u);
}

TEST_F(ResourceManagerTest, OpenGaugeFollowsCountAgainstMax) {
  CircuitBreakerThresholds t;
  t.max_connections = 2;
  ResourceManager& rm = make(t);
  ResourceLimit& cx = rm.connections();
  EXPECT_TRUE(cx.canCreate());
  cx.inc();
  EXPECT_EQ(stats_.cb_cx_open, 0u);
  cx.inc();
  EXPECT_FALSE(cx.canCreate());
  EXPECT_EQ(stats_.cb_cx_open, 1u);
  // A pool with no connection opens one beyond the limit (§3.1): count may exceed max.
  cx.inc();
  EXPECT_EQ(cx.count(), 3u);
  EXPECT_EQ(stats_.cb_cx_open, 1u);
  cx.dec();
  cx.dec();
  EXPECT_TRUE(cx.canCreate());
  EXPECT_EQ(stats_.cb_cx_open, 0u);
  // Without track_remaining the remaining_* gauges are not exported.
  EXPECT_EQ(stats_.cb_remaining_cx, 0u);
}

TEST_F(ResourceManagerTest, TrackRemainingGaugesSaturateAtZero) {
  CircuitBreakerThresholds t;
  t.max_connections = 2;
  t.max_pending_requests = 5;
  t.track_remaining = true;
  ResourceManager& rm = make(t);
  EXPECT_EQ(stats_.cb_remaining_cx, 2u);
  EXPECT_EQ(stats_.cb_remaining_pending, 5u);
  EXPECT_EQ(stats_.cb_remaining_rq, 1024u);
  EXPECT_EQ(stats_.cb_remaining_retries, 3u);
  for (int i = 0; i < 3; ++i) {
    rm.connections().inc();
  }
  EXPECT_EQ(stats_.cb_remaining_cx, 0u);
  rm.pendingRequests().inc();
  EXPECT_EQ(stats_.cb_remaining_pending, 4u);
  EXPECT_EQ(stats_.cb_rq_pending_open, 0u);
}

TEST_F(ResourceManagerTest, StaticRetryLimitIsMaxRetries) {
  ResourceManager& rm = make(CircuitBreakerThresholds::envoyDefaults());
  ResourceLimit& retries = rm.retries();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(retries.canCreate());
    retries.inc();
  }
  EXPECT_FALSE(retries.canCreate());
  EXPECT_EQ(stats_.cb_rq_retry_open, 1u);
  // Active requests do not matter without a budget.
  for (int i = 0; i < 100; ++i) {
    rm.requests().inc();
  }
  EXPECT_FALSE(retries.canCreate());
}

// proxy-semantics §1.7 worked example: 10 active + 0 pending, 20 % => uint64(2.0) = 2 => max(2, 3).
TEST_F(ResourceManagerTest, RetryBudgetWorkedExample) {
  CircuitBreakerThresholds t;
  t.retry_budget = RetryBudget{};
  ResourceManager& rm = make(t);
  for (int i = 0; i < 10; ++i) {
    rm.requests().inc();
  }
  EXPECT_EQ(rm.retries().max(), 3u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(rm.retries().canCreate());
    rm.retries().inc();
  }
  EXPECT_FALSE(rm.retries().canCreate());
}

TEST_F(ResourceManagerTest, RetryBudgetCountsActivePlusPendingAndTruncates) {
  CircuitBreakerThresholds t;
  t.retry_budget = RetryBudget{};
  t.max_retries = 1;  // ignored for admission once a budget exists
  ResourceManager& rm = make(t);
  for (int i = 0; i < 16; ++i) {
    rm.requests().inc();
  }
  for (int i = 0; i < 8; ++i) {
    rm.pendingRequests().inc();
  }
  // 20 % of 24 = 4.8 -> 4.
  EXPECT_EQ(rm.retries().max(), 4u);
  rm.retries().inc();
  EXPECT_TRUE(rm.retries().canCreate());
  rm.pendingRequests().dec();
  rm.pendingRequests().dec();
  rm.pendingRequests().dec();
  rm.pendingRequests().dec();
  rm.pendingRequests().dec();
  // 20 % of 19 = 3.8 -> 3 = the floor.
  EXPECT_EQ(rm.retries().max(), 3u);
}

TEST_F(ResourceManagerTest, RetryBudgetPercentAndFloorConfigurable) {
  CircuitBreakerThresholds t;
  t.retry_budget = RetryBudget{50.0, 1, Duration::zero()};
  ResourceManager& rm = make(t);
  EXPECT_EQ(rm.retries().max(), 1u);
  for (int i = 0; i < 7; ++i) {
    rm.requests().inc();
  }
  EXPECT_EQ(rm.retries().max(), 3u);  // 3.5 -> 3
}

// Envoy quirk (§1.7): under a budget, rq_retry_open still reflects the nested max_retries counter
// and remaining_retries is forced to 0.
TEST_F(ResourceManagerTest, RetryBudgetGaugesFollowEnvoy) {
  CircuitBreakerThresholds t;
  t.retry_budget = RetryBudget{};
  t.max_retries = 2;
  t.track_remaining = true;
  ResourceManager& rm = make(t);
  EXPECT_EQ(stats_.cb_remaining_retries, 0u);
  for (int i = 0; i < 100; ++i) {
    rm.requests().inc();
  }
  rm.retries().inc();
  rm.retries().inc();
  EXPECT_TRUE(rm.retries().canCreate());  // budget allows 20
  EXPECT_EQ(stats_.cb_rq_retry_open, 1u);
  EXPECT_EQ(stats_.cb_remaining_retries, 0u);
}

// Windowed budget (§1.7, newer Envoy): the base is requests started within budget_interval, kept
// in 10 slots of interval/10; requests active now no longer count.
TEST_F(ResourceManagerTest, WindowedRetryBudgetCountsRequestsStartedInWindow) {
  CircuitBreakerThresholds t;
  t.retry_budget = RetryBudget{20.0, 3, std::chrono::seconds(10)};
  ResourceManager& rm = make(t);
  ResourceLimit& rq = rm.requests();
  for (int i = 0; i < 20; ++i) {  // t = 0: 20 started, all finished at once
    rq.inc();
    rq.dec();
  }
  EXPECT_EQ(rm.retries().max(), 4u);
  loop_.advance(std::chrono::seconds(5));
  for (int i = 0; i < 30; ++i) {
    rq.inc();
    rq.dec();
  }
  EXPECT_EQ(rm.retries().max(), 10u);              // 20 % of 50
  loop_.advance(std::chrono::milliseconds(4999));  // t = 9.999 s: both batches in the window
  EXPECT_EQ(rm.retries().max(), 10u);
  loop_.advance(std::chrono::milliseconds(1));  // t = 10 s: the t = 0 slot leaves the window
  EXPECT_EQ(rm.retries().max(), 6u);
  loop_.advance(std::chrono::seconds(5));  // t = 15 s: empty window, the floor applies
  EXPECT_EQ(rm.retries().max(), 3u);
}

TEST_F(ResourceManagerTest, WindowedRetryBudgetIgnoresLongRunningActiveRequests) {
  CircuitBreakerThresholds t;
  t.retry_budget = RetryBudget{20.0, 3, std::chrono::seconds(10)};
  ResourceManager& rm = make(t);
  for (int i = 0; i < 100; ++i) {
    rm.requests().inc();
  }
  EXPECT_EQ(rm.retries().max(), 20u);
  loop_.advance(std::chrono::seconds(20));
  EXPECT_EQ(rm.requests().count(), 100u);
  EXPECT_EQ(rm.retries().max(), 3u);
}

}  // namespace
}  // namespace meshsim::core
