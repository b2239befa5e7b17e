#include "core/pool/istio_connection_pool.h"

#include <gtest/gtest.h>

namespace meshsim::core {
namespace {

constexpr std::uint64_t k2To32Minus1 = 4294967295ULL;

TEST(IstioConnectionPoolTest, WithoutDestinationRuleEverythingIsUnlimited) {
  const IstioClusterLimits out = translateIstioConnectionPool(nullptr, nullptr);
  EXPECT_EQ(out.thresholds.max_connections, k2To32Minus1);
  EXPECT_EQ(out.thresholds.max_pending_requests, k2To32Minus1);
  EXPECT_EQ(out.thresholds.max_requests, k2To32Minus1);
  EXPECT_EQ(out.thresholds.max_retries, k2To32Minus1);
  EXPECT_TRUE(out.thresholds.track_remaining);
  EXPECT_FALSE(out.thresholds.retry_budget.has_value());
  EXPECT_EQ(out.pool.connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(out.pool.idle_timeout, std::chrono::hours(1));
  EXPECT_EQ(out.pool.max_requests_per_connection, 0u);
  EXPECT_EQ(out.pool.max_connection_duration, Duration::zero());
  EXPECT_EQ(out.pool.max_concurrent_streams, 1024u);
}

TEST(IstioConnectionPoolTest, MeshConnectTimeoutApplies) {
  const IstioClusterLimits out =
      translateIstioConnectionPool(nullptr, nullptr, std::chrono::seconds(3));
  EXPECT_EQ(out.pool.connect_timeout, std::chrono::seconds(3));
}

TEST(IstioConnectionPoolTest, PositiveValuesOverrideAndZeroKeepsDefault) {
  IstioConnectionPoolSettings dr;
  dr.tcp = IstioConnectionPoolSettings::Tcp{};
  dr.tcp->max_connections = 100;
  dr.tcp->connect_timeout = Duration::zero();
  dr.tcp->max_connection_duration = std::chrono::minutes(30);
  dr.tcp->idle_timeout = std::chrono::seconds(30);
  dr.http = IstioConnectionPoolSettings::Http{};
  dr.http->http1_max_pending_requests = 10;
  dr.http->http2_max_requests = 0;
  dr.http->max_requests_per_connection = 1;
  dr.http->max_retries = 5;
  dr.http->max_concurrent_streams = 100;
  const IstioClusterLimits out = translateIstioConnectionPool(&dr, nullptr);
  EXPECT_EQ(out.thresholds.max_connections, 100u);
  EXPECT_EQ(out.thresholds.max_pending_requests, 10u);
  EXPECT_EQ(out.thresholds.max_requests, k2To32Minus1);
  EXPECT_EQ(out.thresholds.max_retries, 5u);
  EXPECT_TRUE(out.thresholds.track_remaining);
  EXPECT_EQ(out.pool.connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(out.pool.max_connection_duration, std::chrono::minutes(30));
  EXPECT_EQ(out.pool.max_requests_per_connection, 1u);
  EXPECT_EQ(out.pool.max_concurrent_streams, 100u);
  // tcp.idleTimeout applies because http.idleTimeout is unset.
  EXPECT_EQ(out.pool.idle_timeout, std::chrono::seconds(30));
}

TEST(IstioConnectionPoolTest, HttpIdleTimeoutWinsOverTcp) {
  IstioConnectionPoolSettings dr;
  dr.tcp = IstioConnectionPoolSettings::Tcp{};
  dr.tcp->idle_timeout = std::chrono::seconds(30);
  dr.tcp->connect_timeout = std::chrono::milliseconds(250);
  dr.http = IstioConnectionPoolSettings::Http{};
  dr.http->idle_timeout = std::chrono::seconds(90);
  const IstioClusterLimits out = translateIstioConnectionPool(&dr, nullptr);
  EXPECT_EQ(out.pool.idle_timeout, std::chrono::seconds(90));
  EXPECT_EQ(out.pool.connect_timeout, std::chrono::milliseconds(250));
}

TEST(IstioConnectionPoolTest, RetryBudgetBlockUsesEnvoyDefaultsForUnsetFields) {
  const IstioRetryBudget empty;
  IstioClusterLimits out = translateIstioConnectionPool(nullptr, &empty);
  ASSERT_TRUE(out.thresholds.retry_budget.has_value());
  EXPECT_DOUBLE_EQ(out.thresholds.retry_budget->budget_percent, 20.0);
  EXPECT_EQ(out.thresholds.retry_budget->min_retry_concurrency, 3u);
  EXPECT_EQ(out.thresholds.retry_budget->budget_interval, Duration::zero());

  const IstioRetryBudget set{25.0, 5, std::chrono::seconds(10)};
  out = translateIstioConnectionPool(nullptr, &set);
  EXPECT_DOUBLE_EQ(out.thresholds.retry_budget->budget_percent, 25.0);
  EXPECT_EQ(out.thresholds.retry_budget->min_retry_concurrency, 5u);
  EXPECT_EQ(out.thresholds.retry_budget->budget_interval, std::chrono::seconds(10));
}

}  // namespace
}  // namespace meshsim::core
