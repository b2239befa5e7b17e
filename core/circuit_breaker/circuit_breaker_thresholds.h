// Implements proxy-semantics.md §3.1, §3.5 and §1.7 (thresholds and retry budget).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

#include "core/common/time.h"

namespace meshsim::core {

// Envoy's RetryBudget (proxy-semantics §1.7). Its presence switches the retries resource from the
// static max_retries to the budget; a field Istio leaves at 0 keeps Envoy's default.
struct RetryBudget {
  double budget_percent = 20.0;
  std::uint32_t min_retry_concurrency = 3;
  // Non-zero: the budget base is the number of requests started within this sliding window instead
  // of the requests active right now (newer Envoy, §1.7).
  Duration budget_interval{0};
};

// One Envoy CircuitBreakers.Thresholds entry (priority DEFAULT), per cluster and per Envoy process
// (§3.1). Envoy's defaults are the member initialisers.
struct CircuitBreakerThresholds {
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();
  static constexpr std::uint64_t kIstioUnlimited = std::numeric_limits<std::uint32_t>::max();

  std::uint64_t max_connections = 1024;
  std::uint64_t max_pending_requests = 1024;
  std::uint64_t max_requests = 1024;
  std::uint64_t max_retries = 3;
  std::uint64_t max_connection_pools = kUnlimited;
  std::optional<RetryBudget> retry_budget;
  // Exports the circuit_breakers.*.remaining_* gauges (§3.1).
  bool track_remaining = false;

  static CircuitBreakerThresholds envoyDefaults() { return {}; }

  // What Istio always emits, with or without a DestinationRule (§3.5, §10 item 11): 2^32-1 for
  // connections, pending, requests and retries, and track_remaining. Istio leaves
  // max_connection_pools alone, so it stays Envoy's unlimited.
  static CircuitBreakerThresholds istioDefaults() {
    CircuitBreakerThresholds t;
    t.max_connections = kIstioUnlimited;
    t.max_pending_requests = kIstioUnlimited;
    t.max_requests = kIstioUnlimited;
    t.max_retries = kIstioUnlimited;
    t.track_remaining = true;
    return t;
  }
};

}  // namespace meshsim::core
