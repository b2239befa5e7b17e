// Implements proxy-semantics.md §3.5.
#pragma once

#include <cstdint>
#include <optional>

#include "core/circuit_breaker/circuit_breaker_thresholds.h"
#include "core/common/time.h"
#include "core/pool/connection_pool_settings.h"

namespace meshsim::core {

// Istio DestinationRule trafficPolicy.connectionPool, field for field (IA: destination_rule.proto).
// Zero means "not set": Istio cannot express a zero limit (proxy-semantics §3.5). Choosing between
// the top-level and a subset's policy is the policy layer's business: a subset policy replaces the
// whole block, not single fields, and each subset is its own cluster with its own limits.
struct IstioConnectionPoolSettings {
  struct Tcp {
    std::uint32_t max_connections = 0;
    Duration connect_timeout{0};
    Duration max_connection_duration{0};
    Duration idle_timeout{0};
  };
  struct Http {
    std::uint32_t http1_max_pending_requests = 0;
    std::uint32_t http2_max_requests = 0;
    std::uint32_t max_requests_per_connection = 0;
    std::uint32_t max_retries = 0;
    Duration idle_timeout{0};
    std::uint32_t max_concurrent_streams = 0;
  };
  std::optional<Tcp> tcp;
  std::optional<Http> http;
};

// Istio's trafficPolicy.retryBudget block.
struct IstioRetryBudget {
  double percent = 0;
  std::uint32_t min_retry_concurrency = 0;
  Duration budget_interval{0};
};

struct IstioClusterLimits {
  CircuitBreakerThresholds thresholds;
  ConnectionPoolSettings pool;
};

// What Istio's applyConnectionPool emits for one cluster (§3.5): the 2^32-1 thresholds with
// track_remaining always, the mesh connect timeout, then every DR field > 0 overriding its target.
// Either block may be absent (no DestinationRule, or one without that block).
IstioClusterLimits translateIstioConnectionPool(
    const IstioConnectionPoolSettings* settings, const IstioRetryBudget* retry_budget,
    Duration mesh_connect_timeout = std::chrono::seconds(10));

}  // namespace meshsim::core
