// Implements proxy-semantics.md §1.1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/time.h"

namespace meshsim::core {

// `retry_on` conditions as bits (proxy-semantics §1.2). HTTP and gRPC names share one set because
// Envoy parses every token with both parsers.
enum RetryOn : std::uint32_t {
  kRetryOn5xx = 1u << 0,
  kRetryOnGatewayError = 1u << 1,
  kRetryOnReset = 1u << 2,
  kRetryOnResetBeforeRequest = 1u << 3,
  kRetryOnConnectFailure = 1u << 4,
  kRetryOnEnvoyRateLimited = 1u << 5,
  kRetryOnRetriable4xx = 1u << 6,
  kRetryOnRefusedStream = 1u << 7,
  kRetryOnRetriableStatusCodes = 1u << 8,
  kRetryOnRetriableHeaders = 1u << 9,
  kRetryOnHttp3PostConnectFailure = 1u << 10,
  kRetryOnGrpcCancelled = 1u << 11,
  kRetryOnGrpcDeadlineExceeded = 1u << 12,
  kRetryOnGrpcResourceExhausted = 1u << 13,
  kRetryOnGrpcUnavailable = 1u << 14,
  kRetryOnGrpcInternal = 1u << 15,
};

// Format of a rate-limited back-off reset header (Envoy RetryPolicy.ResetHeaderFormat, §1.4).
enum class ResetHeaderFormat : std::uint8_t {
  kSeconds,        // e.g. Retry-After: 30
  kUnixTimestamp,  // e.g. X-RateLimit-Reset: 1700000000 (needs the wall clock)
};

// Envoy's RouteAction.RetryPolicy as a value type, with Envoy's defaults (§1.1). Istio and Linkerd
// translations produce one of these; the retry state machine consumes it.
struct RetryPolicy {
  std::uint32_t retry_on = 0;  // empty => no retries
  std::uint32_t num_retries = 1;
  Duration per_try_timeout{0};       // 0 = none
  Duration per_try_idle_timeout{0};  // 0 = none
  Duration backoff_base_interval = std::chrono::milliseconds(25);
  std::optional<Duration> backoff_max_interval;  // unset => 10 x base
  std::vector<std::uint32_t> retriable_status_codes;
  // Response header names whose presence makes a response retriable (retriable-headers).
  std::vector<std::string> retriable_header_names;
  // Rate-limited back-off: response headers carrying a reset interval (Retry-After seconds or
  // X-RateLimit-Reset unix time), bounded by rate_limited_max_interval.
  std::vector<std::string> rate_limited_reset_headers;
  // Format of rate_limited_reset_headers[i]; a missing entry means kSeconds.
  std::vector<ResetHeaderFormat> rate_limited_reset_header_formats;
  Duration rate_limited_max_interval = std::chrono::seconds(300);
  // envoy.retry_host_predicates.previous_hosts
  bool previous_hosts_predicate = false;
  std::uint32_t host_selection_retry_max_attempts = 1;
  // envoy.retry_priorities.previous_priorities update_frequency; 0 = no retry_priority (§1.6).
  std::uint32_t previous_priorities_update_frequency = 0;
  bool hedge_on_per_try_timeout = false;

  bool enabled() const { return retry_on != 0; }
  Duration backoffMax() const { return backoff_max_interval.value_or(10 * backoff_base_interval); }
  ResetHeaderFormat resetHeaderFormat(std::size_t i) const {
    return i < rate_limited_reset_header_formats.size() ? rate_limited_reset_header_formats[i]
                                                        : ResetHeaderFormat::kSeconds;
  }
};

// Configuration diagnostics Envoy would reject at load time (e.g. max_interval < base_interval);
// empty when the policy is acceptable. Never called on the request path.
std::vector<std::string> validateRetryPolicy(const RetryPolicy& policy);

}  // namespace meshsim::core
