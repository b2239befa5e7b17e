#include "core/pool/istio_connection_pool.h"

namespace meshsim::core {

IstioClusterLimits translateIstioConnectionPool(const IstioConnectionPoolSettings* settings,
                                                const IstioRetryBudget* retry_budget,
                                                Duration mesh_connect_timeout) {
  IstioClusterLimits out{CircuitBreakerThresholds::istioDefaults(),
                         ConnectionPoolSettings::istioDefaults()};
  out.pool.connect_timeout = mesh_connect_timeout;
  CircuitBreakerThresholds& t = out.thresholds;
  ConnectionPoolSettings& p = out.pool;

  if (settings != nullptr && settings->http) {
    const auto& http = *settings->http;
    if (http.http1_max_pending_requests > 0) {
      t.max_pending_requests = http.http1_max_pending_requests;
    }
    if (http.http2_max_requests > 0) {
      t.max_requests = http.http2_max_requests;
    }
    if (http.max_retries > 0) {
      t.max_retries = http.max_retries;
    }
    if (http.max_requests_per_connection > 0) {
      p.max_requests_per_connection = http.max_requests_per_connection;
    }
    if (http.idle_timeout > Duration::zero()) {
      p.idle_timeout = http.idle_timeout;
    }
    // Istio only emits it for HTTP/2 clusters; HTTP/1 pools ignore the field anyway.
    if (http.max_concurrent_streams > 0) {
      p.max_concurrent_streams = http.max_concurrent_streams;
    }
  }
  if (settings != nullptr && settings->tcp) {
    const auto& tcp = *settings->tcp;
    // Cluster-wide per client proxy, not per destination host despite the API wording (§10.11).
    if (tcp.max_connections > 0) {
      t.max_connections = tcp.max_connections;
    }
    if (tcp.connect_timeout > Duration::zero()) {
      p.connect_timeout = tcp.connect_timeout;
    }
    if (tcp.max_connection_duration > Duration::zero()) {
      p.max_connection_duration = tcp.max_connection_duration;
    }
    const bool http_idle_set = settings->http && settings->http->idle_timeout > Duration::zero();
    if (tcp.idle_timeout > Duration::zero() && !http_idle_set) {
      p.idle_timeout = tcp.idle_timeout;
    }
  }
  if (retry_budget != nullptr) {
    RetryBudget budget;
    if (retry_budget->percent > 0) {
      budget.budget_percent = retry_budget->percent;
    }
    if (retry_budget->min_retry_concurrency > 0) {
      budget.min_retry_concurrency = retry_budget->min_retry_concurrency;
    }
    if (retry_budget->budget_interval > Duration::zero()) {
      budget.budget_interval = retry_budget->budget_interval;
    }
    t.retry_budget = budget;
  }
  return out;
}

}  // namespace meshsim::core
