// Implements proxy-semantics.md §1.9.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/time.h"
#include "core/retry/retry_policy.h"

namespace meshsim::core {

// Istio networking.v1alpha3.HTTPRetry, field for field (IA: virtual_service.proto).
struct IstioHttpRetry {
  // proto3 int32: an unset value reads as 0, which disables retries for the route (§1.9).
  std::optional<std::int32_t> attempts;
  std::optional<Duration> per_try_timeout;
  std::string retry_on;  // empty = keep Istio's default list
  std::optional<bool> retry_remote_localities;
  std::optional<bool> retry_ignore_previous_hosts;
  std::optional<Duration> backoff;  // base interval only
};

struct IstioRetryOptions {
  // The destination's DestinationRule uses consistentHash: the default policy drops previous_hosts.
  bool consistent_hash = false;
  // Istio's EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY (default true): when false, the default policy
  // also attaches retriable_status_codes [503].
  bool exclude_503_from_default_retries = true;
};

// The retryOn list of Istio's outbound default policy, as retry.go writes it.
inline constexpr std::string_view kIstioDefaultRetryOn =
    "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

// Istio's outbound default (I: pilot/pkg/networking/core/route/retry/retry.go): 2 retries on
// "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes" (no codes
// attached), previous_hosts unless consistent hashing, host_selection_retry_max_attempts 5, Envoy
// back-off.
RetryPolicy istioDefaultRetryPolicy(const IstioRetryOptions& options = {});

// Istio ConvertPolicy (§1.9). `retries` is the VirtualService route's `retries` (nullopt = absent);
// `mesh_default` is MeshConfig.defaultHttpRetryPolicy, used in place of an absent `retries`.
// nullopt result = no retry policy on the route (attempts <= 0). Unknown retryOn tokens (after
// status codes are taken out) are appended to `diagnostics` when given; Envoy ignores them.
std::optional<RetryPolicy> translateIstioRetries(
    const std::optional<IstioHttpRetry>& retries, const IstioRetryOptions& options = {},
    const std::optional<IstioHttpRetry>& mesh_default = std::nullopt,
    std::vector<std::string>* diagnostics = nullptr);

// Istio's inbound (server sidecar) default route policy, Istio >= 1.24, HTTP (non-gRPC) ports:
// 2 retries on reset-before-request.
RetryPolicy istioInboundDefaultRetryPolicy();

// Whether Go's net/http knows a reason phrase for `code` (http.StatusText(code) != ""): Istio only
// turns such integers in retryOn into retriable status codes.
bool isGoKnownHttpStatus(std::int64_t code);

}  // namespace meshsim::core
