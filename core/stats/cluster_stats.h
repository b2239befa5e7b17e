// Implements proxy-semantics.md §1.8, §3.3 and §4.4 (cluster stat names).
#pragma once

#include <cstdint>
#include <string_view>

namespace meshsim::core {

// Every per-cluster counter and gauge the core maintains, under Envoy's names (cluster.<c>.<name>).
// Kept as plain fields so the hot path increments a member, not a map entry; the X-macro list is
// the single place that ties a field to its exported name.
#define MESHSIM_CLUSTER_COUNTERS(X)                                                               \
  X(upstream_rq_total, "upstream_rq_total")                                                       \
  X(upstream_rq_completed, "upstream_rq_completed")                                               \
  X(upstream_rq_1xx, "upstream_rq_1xx")                                                           \
  X(upstream_rq_2xx, "upstream_rq_2xx")                                                           \
  X(upstream_rq_3xx, "upstream_rq_3xx")                                                           \
  X(upstream_rq_4xx, "upstream_rq_4xx")                                                           \
  X(upstream_rq_5xx, "upstream_rq_5xx")                                                           \
  X(upstream_rq_pending_total, "upstream_rq_pending_total")                                       \
  X(upstream_rq_pending_overflow, "upstream_rq_pending_overflow")                                 \
  X(upstream_rq_pending_failure_eject, "upstream_rq_pending_failure_eject")                       \
  X(upstream_rq_cancelled, "upstream_rq_cancelled")                                               \
  X(upstream_rq_timeout, "upstream_rq_timeout")                                                   \
  X(upstream_rq_per_try_timeout, "upstream_rq_per_try_timeout")                                   \
  X(upstream_rq_per_try_idle_timeout, "upstream_rq_per_try_idle_timeout")                         \
  X(upstream_rq_retry, "upstream_rq_retry")                                                       \
  X(upstream_rq_retry_success, "upstream_rq_retry_success")                                       \
  X(upstream_rq_retry_limit_exceeded, "upstream_rq_retry_limit_exceeded")                         \
  X(upstream_rq_retry_overflow, "upstream_rq_retry_overflow")                                     \
  X(upstream_rq_retry_backoff_exponential, "upstream_rq_retry_backoff_exponential")               \
  X(upstream_rq_retry_backoff_ratelimited, "upstream_rq_retry_backoff_ratelimited")               \
  X(retry_or_shadow_abandoned, "retry_or_shadow_abandoned")                                       \
  X(upstream_rq_rx_reset, "upstream_rq_rx_reset")                                                 \
  X(upstream_rq_tx_reset, "upstream_rq_tx_reset")                                                 \
  X(upstream_cx_total, "upstream_cx_total")                                                       \
  X(upstream_cx_connect_fail, "upstream_cx_connect_fail")                                         \
  X(upstream_cx_connect_timeout, "upstream_cx_connect_timeout")                                   \
  X(upstream_cx_overflow, "upstream_cx_overflow")                                                 \
  X(upstream_cx_pool_overflow, "upstream_cx_pool_overflow")                                       \
  X(upstream_cx_max_requests, "upstream_cx_max_requests")                                         \
  X(upstream_cx_idle_timeout, "upstream_cx_idle_timeout")                                         \
  X(upstream_cx_max_duration_reached, "upstream_cx_max_duration_reached")                         \
  X(upstream_cx_destroy, "upstream_cx_destroy")                                                   \
  X(upstream_cx_connect_ms_total, "upstream_cx_connect_ms_total")                                 \
  X(lb_healthy_panic, "lb_healthy_panic")                                                         \
  X(upstream_cx_none_healthy, "upstream_cx_none_healthy")                                         \
  X(outlier_ejections_enforced_total, "outlier_detection.ejections_enforced_total")               \
  X(outlier_ejections_overflow, "outlier_detection.ejections_overflow")                           \
  X(outlier_ejections_enforced_consecutive_5xx,                                                   \
    "outlier_detection.ejections_enforced_consecutive_5xx")                                       \
  X(outlier_ejections_detected_consecutive_5xx,                                                   \
    "outlier_detection.ejections_detected_consecutive_5xx")                                       \
  X(outlier_ejections_enforced_consecutive_gateway_failure,                                       \
    "outlier_detection.ejections_enforced_consecutive_gateway_failure")                           \
  X(outlier_ejections_detected_consecutive_gateway_failure,                                       \
    "outlier_detection.ejections_detected_consecutive_gateway_failure")                           \
  X(outlier_ejections_enforced_consecutive_local_origin_failure,                                  \
    "outlier_detection.ejections_enforced_consecutive_local_origin_failure")                      \
  X(outlier_ejections_detected_consecutive_local_origin_failure,                                  \
    "outlier_detection.ejections_detected_consecutive_local_origin_failure")                      \
  X(outlier_ejections_enforced_success_rate, "outlier_detection.ejections_enforced_success_rate") \
  X(outlier_ejections_detected_success_rate, "outlier_detection.ejections_detected_success_rate") \
  X(outlier_ejections_enforced_local_origin_success_rate,                                         \
    "outlier_detection.ejections_enforced_local_origin_success_rate")                             \
  X(outlier_ejections_detected_local_origin_success_rate,                                         \
    "outlier_detection.ejections_detected_local_origin_success_rate")                             \
  X(outlier_ejections_enforced_failure_percentage,                                                \
    "outlier_detection.ejections_enforced_failure_percentage")                                    \
  X(outlier_ejections_detected_failure_percentage,                                                \
    "outlier_detection.ejections_detected_failure_percentage")                                    \
  X(outlier_ejections_enforced_local_origin_failure_percentage,                                   \
    "outlier_detection.ejections_enforced_local_origin_failure_percentage")                       \
  X(outlier_ejections_detected_local_origin_failure_percentage,                                   \
    "outlier_detection.ejections_detected_local_origin_failure_percentage")

#define MESHSIM_CLUSTER_GAUGES(X)                                       \
  X(upstream_rq_active, "upstream_rq_active")                           \
  X(upstream_rq_pending_active, "upstream_rq_pending_active")           \
  X(upstream_cx_active, "upstream_cx_active")                           \
  X(outlier_ejections_active, "outlier_detection.ejections_active")     \
  X(cb_cx_open, "circuit_breakers.default.cx_open")                     \
  X(cb_rq_pending_open, "circuit_breakers.default.rq_pending_open")     \
  X(cb_rq_open, "circuit_breakers.default.rq_open")                     \
  X(cb_rq_retry_open, "circuit_breakers.default.rq_retry_open")         \
  X(cb_cx_pool_open, "circuit_breakers.default.cx_pool_open")           \
  X(cb_remaining_cx, "circuit_breakers.default.remaining_cx")           \
  X(cb_remaining_pending, "circuit_breakers.default.remaining_pending") \
  X(cb_remaining_rq, "circuit_breakers.default.remaining_rq")           \
  X(cb_remaining_retries, "circuit_breakers.default.remaining_retries") \
  X(cb_remaining_cx_pools, "circuit_breakers.default.remaining_cx_pools")

struct ClusterStats {
#define MESHSIM_STAT_FIELD(field, name) std::uint64_t field = 0;
  MESHSIM_CLUSTER_COUNTERS(MESHSIM_STAT_FIELD)
  MESHSIM_CLUSTER_GAUGES(MESHSIM_STAT_FIELD)
#undef MESHSIM_STAT_FIELD

  // Calls visit(name, value, is_gauge) for every stat, in declaration order.
  template <class Visitor>
  void forEach(Visitor&& visit) const {
#define MESHSIM_STAT_COUNTER(field, name) visit(std::string_view(name), field, false);
#define MESHSIM_STAT_GAUGE(field, name) visit(std::string_view(name), field, true);
    MESHSIM_CLUSTER_COUNTERS(MESHSIM_STAT_COUNTER)
    MESHSIM_CLUSTER_GAUGES(MESHSIM_STAT_GAUGE)
#undef MESHSIM_STAT_COUNTER
#undef MESHSIM_STAT_GAUGE
  }
};

}  // namespace meshsim::core
