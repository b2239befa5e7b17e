// Conformance suite: every default of the proxy-semantics.md tables the core models, asserted on
// the core's own value types (§1.1, §2, §3.1, §3.5, §4.1, §4.6, §5.1/§5.3/§5.5/§5.6, §9). A
// default that changes in the core without the spec changing fails here, with the table named.
#include <gtest/gtest.h>

#include <limits>

#include "core/authz/peer_authentication.h"
#include "core/circuit_breaker/circuit_breaker_thresholds.h"
#include "core/circuit_breaker/resource_manager.h"
#include "core/common/manual_event_loop.h"
#include "core/lb/load_balancer_config.h"
#include "core/lb/peak_ewma.h"
#include "core/outlier/failure_accrual.h"
#include "core/outlier/istio_outlier_detection.h"
#include "core/outlier/outlier_detection_config.h"
#include "core/policy/cluster_policy.h"
#include "core/policy/proxy_profile.h"
#include "core/pool/connection_pool_settings.h"
#include "core/pool/istio_connection_pool.h"
#include "core/proxy/proxy.h"
#include "core/retry/backoff_strategy.h"
#include "core/retry/istio_retry.h"
#include "core/retry/linkerd_retry_policy.h"
#include "core/retry/retry_on.h"
#include "core/retry/retry_policy.h"
#include "core/retry/tps_budget.h"
#include "core/router/route_configuration.h"
#include "core/tls/certificate_lifetime.h"

namespace meshsim::core {
namespace {

constexpr std::uint64_t kMax32 = 4294967295u;  // Istio's "unlimited" (2^32 − 1)

// §1.1 Envoy RetryPolicy fields and defaults.
TEST(Defaults, Section1_1_EnvoyRetryPolicy) {
  const RetryPolicy policy;
  EXPECT_EQ(policy.retry_on, 0u) << "empty retry_on ⇒ no retries";
  EXPECT_FALSE(policy.enabled());
  EXPECT_EQ(policy.num_retries, 1u);
  EXPECT_EQ(policy.per_try_timeout, Duration::zero());
  EXPECT_EQ(policy.per_try_idle_timeout, Duration::zero());
  EXPECT_EQ(policy.backoff_base_interval, 25ms);
  EXPECT_FALSE(policy.backoff_max_interval.has_value());
  EXPECT_EQ(policy.backoffMax(), 250ms) << "max_interval = 10 × base";
  EXPECT_EQ(policy.rate_limited_max_interval, 300s);
  EXPECT_FALSE(policy.previous_hosts_predicate) << "no retry_host_predicate";
  EXPECT_EQ(policy.host_selection_retry_max_attempts, 1u) << "⇒ 2 picks on a retry";
  EXPECT_TRUE(policy.retriable_status_codes.empty());
  EXPECT_TRUE(policy.retriable_header_names.empty());
  EXPECT_FALSE(policy.hedge_on_per_try_timeout);
  EXPECT_EQ(policy.previous_priorities_update_frequency, 0u);

  RetryPolicy custom;
  custom.backoff_base_interval = 40ms;
  EXPECT_EQ(custom.backoffMax(), 400ms) << "max follows a configured base";

  const JitteredExponentialBackOff from_policy(policy);
  EXPECT_EQ(from_policy.baseMs(), 25u);
  EXPECT_EQ(from_policy.maxMs(), 250u);
  const JitteredExponentialBackOff sub_millisecond(0, 0);
  EXPECT_EQ(sub_millisecond.baseMs(), 1u) << "base < 1 ms is rounded up to 1 ms";
}

// §2 timeouts and connection lifetimes, Envoy and Istio sidecar columns (and Linkerd's outbound
// connect timeout, which the core models).
TEST(Defaults, Section2_TimeoutsAndConnectionLifetimes) {
  EXPECT_EQ(kEnvoyDefaultRouteTimeout, 15s);
  EXPECT_EQ(RouteEntry{}.timeout, 15s) << "a raw Envoy route";
  EXPECT_EQ(routeDefaultsFor(ProxyProfile::kEnvoy).route_timeout, 15s);
  EXPECT_EQ(routeDefaultsFor(ProxyProfile::kIstio).route_timeout, Duration::zero())
      << "Istio: 0 = disabled";
  EXPECT_EQ(routeDefaultsFor(ProxyProfile::kLinkerd).route_timeout, Duration::zero());

  const ConnectionPoolSettings envoy = ConnectionPoolSettings::envoyDefaults();
  EXPECT_EQ(envoy.connect_timeout, 5s);
  EXPECT_EQ(envoy.idle_timeout, 1h);
  EXPECT_EQ(envoy.max_connection_duration, Duration::zero()) << "none";
  EXPECT_EQ(envoy.max_requests_per_connection, 0u) << "unlimited";
  const ConnectionPoolSettings istio = ConnectionPoolSettings::istioDefaults();
  EXPECT_EQ(istio.connect_timeout, 10s) << "MeshConfig connectTimeout";
  EXPECT_EQ(istio.idle_timeout, 1h);
  EXPECT_EQ(istio.max_connection_duration, Duration::zero());
  EXPECT_EQ(istio.max_requests_per_connection, 0u);

  EXPECT_EQ(ClusterPolicy::defaultsFor(ProxyProfile::kEnvoy).connection_pool.connect_timeout, 5s);
  EXPECT_EQ(ClusterPolicy::defaultsFor(ProxyProfile::kIstio).connection_pool.connect_timeout, 10s);
  EXPECT_EQ(ClusterPolicy::defaultsFor(ProxyProfile::kLinkerd).connection_pool.connect_timeout, 1s);

  EXPECT_EQ(RetryPolicy{}.per_try_timeout, Duration::zero()) << "per-try: none";
  EXPECT_EQ(istioDefaultRetryPolicy().per_try_timeout, Duration::zero())
      << "Istio: only VS retries.perTryTimeout sets one";
}

// §3.1 circuit-breaker thresholds (Envoy), including the retry budget's defaults (§1.7).
TEST(Defaults, Section3_1_CircuitBreakerThresholds) {
  const CircuitBreakerThresholds t = CircuitBreakerThresholds::envoyDefaults();
  EXPECT_EQ(t.max_connections, 1024u);
  EXPECT_EQ(t.max_pending_requests, 1024u);
  EXPECT_EQ(t.max_requests, 1024u);
  EXPECT_EQ(t.max_retries, 3u);
  EXPECT_EQ(t.max_connection_pools, std::numeric_limits<std::uint64_t>::max()) << "unlimited";
  EXPECT_FALSE(t.retry_budget.has_value()) << "retry_budget off";
  EXPECT_FALSE(t.track_remaining);

  const RetryBudget budget;
  EXPECT_EQ(budget.budget_percent, 20.0);
  EXPECT_EQ(budget.min_retry_concurrency, 3u);
  EXPECT_EQ(budget.budget_interval, Duration::zero());

  // §1.7 worked example: 10 active + 0 pending at 20 % ⇒ max(2, 3) = 3 concurrent retries.
  ManualEventLoop loop;
  ClusterStats stats;
  CircuitBreakerThresholds with_budget;
  with_budget.retry_budget = RetryBudget{};
  ResourceManager resources(with_budget, stats, loop);
  for (int i = 0; i < 10; ++i) {
    resources.requests().inc();
  }
  EXPECT_EQ(resources.retries().max(), 3u);
  for (int i = 0; i < 10; ++i) {
    resources.pendingRequests().inc();
  }
  EXPECT_EQ(resources.retries().max(), 4u) << "uint64(0.2 × 20) = 4 > 3";
}

// §3.5 Istio connectionPool mapping, "Istio default when unset" column.
TEST(Defaults, Section3_5_IstioConnectionPoolUnset) {
  // No DestinationRule, and a DestinationRule whose tcp/http blocks set nothing.
  IstioConnectionPoolSettings empty_blocks;
  empty_blocks.tcp = IstioConnectionPoolSettings::Tcp{};
  empty_blocks.http = IstioConnectionPoolSettings::Http{};
  for (const IstioClusterLimits& limits : {translateIstioConnectionPool(nullptr, nullptr),
                                           translateIstioConnectionPool(&empty_blocks, nullptr)}) {
    const CircuitBreakerThresholds& t = limits.thresholds;
    EXPECT_EQ(t.max_connections, kMax32) << "tcp.maxConnections";
    EXPECT_EQ(t.max_pending_requests, kMax32) << "http.http1MaxPendingRequests";
    EXPECT_EQ(t.max_requests, kMax32) << "http.http2MaxRequests";
    EXPECT_EQ(t.max_retries, kMax32) << "http.maxRetries (Envoy's own would be 3)";
    EXPECT_TRUE(t.track_remaining);
    EXPECT_EQ(t.max_connection_pools, CircuitBreakerThresholds::kUnlimited);
    EXPECT_FALSE(t.retry_budget.has_value()) << "retryBudget not set";
    const ConnectionPoolSettings& p = limits.pool;
    EXPECT_EQ(p.connect_timeout, 10s) << "mesh connectTimeout";
    EXPECT_EQ(p.max_connection_duration, Duration::zero()) << "none";
    EXPECT_EQ(p.idle_timeout, 1h) << "Envoy 1 h";
    EXPECT_EQ(p.max_requests_per_connection, 0u) << "unlimited";
    EXPECT_EQ(p.max_concurrent_streams, 1024u) << "Envoy default (current Envoy: 1024)";
  }
  // An empty retryBudget block: 20 / 3 / 0 once the block exists.
  const IstioRetryBudget empty_budget;
  const IstioClusterLimits budgeted = translateIstioConnectionPool(nullptr, &empty_budget);
  ASSERT_TRUE(budgeted.thresholds.retry_budget.has_value());
  EXPECT_EQ(budgeted.thresholds.retry_budget->budget_percent, 20.0);
  EXPECT_EQ(budgeted.thresholds.retry_budget->min_retry_concurrency, 3u);
  EXPECT_EQ(budgeted.thresholds.retry_budget->budget_interval, Duration::zero());

  const ClusterPolicy istio = ClusterPolicy::defaultsFor(ProxyProfile::kIstio);
  const IstioClusterLimits none = translateIstioConnectionPool(nullptr, nullptr);
  EXPECT_EQ(istio.circuit_breakers.max_connections, none.thresholds.max_connections);
  EXPECT_EQ(istio.circuit_breakers.max_retries, none.thresholds.max_retries);
  EXPECT_EQ(istio.connection_pool.connect_timeout, none.pool.connect_timeout);
}

// §4.1 Envoy outlier detection defaults.
TEST(Defaults, Section4_1_EnvoyOutlierDetection) {
  const OutlierDetectionConfig c;
  EXPECT_EQ(c.consecutive_5xx, 5u);
  EXPECT_EQ(c.enforcing_consecutive_5xx, 100u);
  EXPECT_EQ(c.consecutive_gateway_failure, 5u);
  EXPECT_EQ(c.enforcing_consecutive_gateway_failure, 0u) << "⇒ off";
  EXPECT_EQ(c.consecutive_local_origin_failure, 5u);
  EXPECT_EQ(c.enforcing_consecutive_local_origin_failure, 100u);
  EXPECT_FALSE(c.split_external_local_origin_errors);
  EXPECT_EQ(c.interval, 10s);
  EXPECT_EQ(c.base_ejection_time, 30s);
  EXPECT_EQ(c.maxEjectionTime(), 300s);
  EXPECT_EQ(c.max_ejection_time_jitter, Duration::zero());
  EXPECT_EQ(c.max_ejection_percent, 10u);
  EXPECT_FALSE(c.always_eject_one_host);
  EXPECT_EQ(c.success_rate_minimum_hosts, 5u);
  EXPECT_EQ(c.success_rate_request_volume, 100u);
  EXPECT_EQ(c.success_rate_stdev_factor, 1900u) << "÷1000 ⇒ 1.9";
  EXPECT_EQ(c.enforcing_success_rate, 100u);
  EXPECT_EQ(c.failure_percentage_threshold, 85u);
  EXPECT_EQ(c.failure_percentage_minimum_hosts, 5u);
  EXPECT_EQ(c.failure_percentage_request_volume, 50u);
  EXPECT_EQ(c.enforcing_failure_percentage, 0u);
  EXPECT_EQ(c.enforcing_failure_percentage_local_origin, 0u);
  EXPECT_EQ(c.enforcing_local_origin_success_rate, 100u);
  EXPECT_TRUE(c.successful_active_health_check_uneject_host);

  OutlierDetectionConfig long_base;
  long_base.base_ejection_time = 400s;
  EXPECT_EQ(long_base.maxEjectionTime(), 400s) << "300 s, or base_ejection_time if larger";
}

// §4.6 Istio outlierDetection mapping: an empty block, then each field's set/unset rule.
TEST(Defaults, Section4_6_IstioOutlierDetection) {
  const IstioOutlierTranslation empty = translateIstioOutlierDetection({});
  const OutlierDetectionConfig& o = empty.outlier;
  EXPECT_EQ(o.enforcing_success_rate, 0u) << "success-rate ejection always disabled";
  EXPECT_EQ(o.consecutive_5xx, 5u) << "unset ⇒ 5 consecutive 5xx still eject";
  EXPECT_EQ(o.enforcing_consecutive_5xx, 100u);
  EXPECT_EQ(o.enforcing_consecutive_gateway_failure, 0u) << "unset ⇒ off";
  EXPECT_EQ(o.interval, 10s);
  EXPECT_EQ(o.base_ejection_time, 30s);
  EXPECT_EQ(o.max_ejection_percent, 10u);
  EXPECT_EQ(empty.healthy_panic_threshold_percent, 0.0) << "minHealthPercent default 0";
  EXPECT_FALSE(o.split_external_local_origin_errors);
  // Never set by Istio ⇒ Envoy defaults.
  EXPECT_EQ(o.maxEjectionTime(), 300s);
  EXPECT_EQ(o.max_ejection_time_jitter, Duration::zero());
  EXPECT_FALSE(o.always_eject_one_host);
  EXPECT_EQ(o.enforcing_failure_percentage, 0u);

  IstioOutlierDetection set;
  set.consecutive_5xx_errors = 0;
  set.consecutive_gateway_errors = 3;
  set.interval = 5s;
  set.base_ejection_time = 1min;
  set.max_ejection_percent = 100;
  set.min_health_percent = 20;
  set.split_external_local_origin_errors = true;
  set.consecutive_local_origin_failures = 4;
  set.consecutive_errors = 9;  // deprecated: ignored
  const IstioOutlierTranslation t = translateIstioOutlierDetection(set);
  EXPECT_EQ(t.outlier.consecutive_5xx, 0u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_5xx, 0u) << "N > 0 ? 100 : 0";
  EXPECT_EQ(t.outlier.consecutive_gateway_failure, 3u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_gateway_failure, 100u);
  EXPECT_EQ(t.outlier.interval, 5s);
  EXPECT_EQ(t.outlier.base_ejection_time, 60s);
  EXPECT_EQ(t.outlier.max_ejection_percent, 100u);
  EXPECT_EQ(t.healthy_panic_threshold_percent, 20.0);
  EXPECT_TRUE(t.outlier.split_external_local_origin_errors);
  EXPECT_EQ(t.outlier.consecutive_local_origin_failure, 4u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_local_origin_failure, 100u);
  EXPECT_EQ(t.outlier.enforcing_local_origin_success_rate, 0u);

  EXPECT_EQ(translateIstioOutlierDetection(set, /*supports_unhealthy_endpoints=*/true)
                .healthy_panic_threshold_percent,
            0.0)
      << "forced 0 for services that publish unready endpoints";
}

// §5.1 panic, §5.3 least request, §5.5 ring hash, §5.6 maglev.
TEST(Defaults, Section5_LoadBalancerParameters) {
  const LoadBalancerConfig c;
  EXPECT_EQ(c.policy, LoadBalancerConfig::Policy::RoundRobin);
  EXPECT_EQ(c.healthy_panic_threshold, 50u);
  EXPECT_EQ(c.overprovisioning_factor, 140u);
  // §5.3
  EXPECT_EQ(c.choice_count, 2u);
  EXPECT_EQ(c.active_request_bias, 1.0);
  EXPECT_EQ(c.selection_method, LoadBalancerConfig::LeastRequestSelection::NChoices);
  // §5.5
  EXPECT_EQ(c.minimum_ring_size, 1024u);
  EXPECT_EQ(c.maximum_ring_size, 8388608u);
  // §5.6
  EXPECT_EQ(c.maglev_table_size, 65537u);
  EXPECT_TRUE(c.validate().empty());
}

// §9, raw Envoy column.
TEST(Defaults, Section9_EnvoyProfile) {
  const ClusterPolicy c = ClusterPolicy::defaultsFor(ProxyProfile::kEnvoy);
  const RouteDefaults r = routeDefaultsFor(ProxyProfile::kEnvoy);
  EXPECT_FALSE(r.outbound_retry.has_value()) << "retries: off";
  EXPECT_FALSE(r.inbound_retry.has_value());
  EXPECT_EQ(c.circuit_breakers.max_retries, 3u) << "retry concurrency cap 3";
  EXPECT_EQ(r.route_timeout, 15s);
  EXPECT_EQ(c.connection_pool.connect_timeout, 5s);
  EXPECT_EQ(c.circuit_breakers.max_connections, 1024u);
  EXPECT_EQ(c.circuit_breakers.max_pending_requests, 1024u);
  EXPECT_EQ(c.circuit_breakers.max_requests, 1024u);
  EXPECT_EQ(c.balancer, BalancerKind::kEnvoy);
  EXPECT_EQ(c.load_balancer.policy, LoadBalancerConfig::Policy::RoundRobin);
  EXPECT_EQ(c.load_balancer.healthy_panic_threshold, 50u);
  EXPECT_FALSE(c.outlier_detection.has_value()) << "outlier detection off";
  EXPECT_FALSE(c.tls_mode.has_value());
  EXPECT_EQ(c.protocol, HttpProtocol::kHttp11);
  EXPECT_TRUE(c.validate("cluster.envoy").empty());
}

// §9, Istio sidecar column (no VirtualService / DestinationRule customisation).
TEST(Defaults, Section9_IstioProfile) {
  const ClusterPolicy c = ClusterPolicy::defaultsFor(ProxyProfile::kIstio);
  const RouteDefaults r = routeDefaultsFor(ProxyProfile::kIstio);

  ASSERT_TRUE(r.outbound_retry.has_value());
  const RetryPolicy& out = *r.outbound_retry;
  EXPECT_EQ(out.num_retries, 2u);
  EXPECT_EQ(out.retry_on, kRetryOnConnectFailure | kRetryOnRefusedStream | kRetryOnGrpcUnavailable |
                              kRetryOnGrpcCancelled | kRetryOnRetriableStatusCodes);
  EXPECT_TRUE(out.retriable_status_codes.empty()) << "retriable-status-codes has no codes";
  EXPECT_TRUE(out.previous_hosts_predicate);
  EXPECT_EQ(out.host_selection_retry_max_attempts, 5u) << "6 host picks";
  EXPECT_EQ(out.backoff_base_interval, 25ms) << "same back-off as Envoy";
  EXPECT_EQ(out.backoffMax(), 250ms);
  IstioRetryOptions consistent_hash;
  consistent_hash.consistent_hash = true;
  EXPECT_FALSE(istioDefaultRetryPolicy(consistent_hash).previous_hosts_predicate);

  ASSERT_TRUE(r.inbound_retry.has_value());
  EXPECT_EQ(r.inbound_retry->num_retries, 2u);
  EXPECT_EQ(r.inbound_retry->retry_on, kRetryOnResetBeforeRequest);

  EXPECT_EQ(c.circuit_breakers.max_retries, kMax32) << "retry concurrency cap 2^32 − 1";
  EXPECT_EQ(r.route_timeout, Duration::zero()) << "route timeout: none";
  EXPECT_EQ(c.connection_pool.connect_timeout, 10s);
  EXPECT_EQ(c.circuit_breakers.max_connections, kMax32);
  EXPECT_EQ(c.circuit_breakers.max_pending_requests, kMax32);
  EXPECT_EQ(c.circuit_breakers.max_requests, kMax32);
  EXPECT_EQ(c.balancer, BalancerKind::kEnvoy);
  EXPECT_EQ(c.load_balancer.policy, LoadBalancerConfig::Policy::LeastRequest);
  EXPECT_EQ(c.load_balancer.healthy_panic_threshold, 50u) << "50 % without an outlier block";
  EXPECT_FALSE(c.outlier_detection.has_value());
  // mTLS: auto mTLS to sidecar endpoints, PERMISSIVE inbound.
  EXPECT_FALSE(c.tls_mode.has_value()) << "decided per endpoint";
  EXPECT_EQ(clientTlsMode(c.tls_mode, true, true), ClientTlsMode::kIstioMutual);
  EXPECT_EQ(clientTlsMode(c.tls_mode, true, false), ClientTlsMode::kDisable);
  EXPECT_EQ(resolvePeerAuthentication({}, "istio-system", "default", {}).mode,
            MtlsMode::kPermissive);
  EXPECT_EQ(kIstioWorkloadCertTtl, 24h);
  EXPECT_EQ(kIstioRotationAfter, 12h) << "rotation at 50 % of the lifetime";
  EXPECT_EQ(ProxyConfig{}.workers, 2u) << "Istio's default 2 workers (§3.4)";
  EXPECT_TRUE(c.validate("cluster.istio").empty());
}

// §9, Linkerd column (the parts the core models).
TEST(Defaults, Section9_LinkerdProfile) {
  const ClusterPolicy c = ClusterPolicy::defaultsFor(ProxyProfile::kLinkerd);
  const RouteDefaults r = routeDefaultsFor(ProxyProfile::kLinkerd);
  EXPECT_FALSE(r.outbound_retry.has_value()) << "retries: off";
  EXPECT_FALSE(r.inbound_retry.has_value());
  EXPECT_EQ(r.route_timeout, Duration::zero()) << "route timeout: none";
  EXPECT_EQ(c.connection_pool.connect_timeout, 1s);
  EXPECT_EQ(c.circuit_breakers.max_pending_requests, 10'000u) << "queue 10 000";
  EXPECT_EQ(c.circuit_breakers.max_requests, 100'000u) << "in-flight 100 000";
  EXPECT_EQ(c.circuit_breakers.max_retries, CircuitBreakerThresholds::kUnlimited)
      << "no retry concurrency cap: the TPS budget governs SP retries";
  EXPECT_EQ(c.balancer, BalancerKind::kLinkerdPeakEwma) << "P2C peak-EWMA";
  EXPECT_EQ(PeakEwma::kDefaultRtt, 30ms);
  EXPECT_EQ(PeakEwma::kDefaultDecay, 10s);
  EXPECT_FALSE(c.outlier_detection.has_value()) << "off";
  EXPECT_EQ(c.tls_mode, ClientTlsMode::kIstioMutual) << "mTLS on for meshed pods";
  EXPECT_EQ(kLinkerdWorkloadCertTtl, 24h);
  const double rotation_seconds = std::chrono::duration<double>(kLinkerdRotationAfter).count();
  EXPECT_NEAR(rotation_seconds, 16.8 * 3600, 1e-3) << "rotation at 70 % of 24 h";

  // Retry back-off (routes): 25 → 250 ms additive jitter; SP retries: TPS budget 20 % + 10/s·10 s.
  const LinkerdRouteRetryPolicy route;
  EXPECT_EQ(route.limit, 1u);
  EXPECT_EQ(route.backoff_min, 25ms);
  EXPECT_EQ(route.backoff_max, 250ms);
  EXPECT_EQ(route.backoff_jitter, 1.0);
  EXPECT_EQ(route.max_request_bytes, 64u * 1024u);
  const TpsBudget::Config budget;
  EXPECT_EQ(budget.ttl, 10s);
  EXPECT_EQ(budget.min_retries_per_second, 10u);
  EXPECT_FLOAT_EQ(budget.retry_ratio, 0.2f);
  // Opt-in failure accrual: 7 consecutive failures.
  const FailureAccrualConfig accrual;
  EXPECT_EQ(accrual.max_failures, 7u);
  EXPECT_EQ(accrual.min_penalty, 1s);
  EXPECT_EQ(accrual.max_penalty, 1min);
  EXPECT_EQ(accrual.jitter_ratio, 0.5);
  EXPECT_TRUE(c.validate("cluster.linkerd").empty());
}

}  // namespace
}  // namespace meshsim::core
