// Implements proxy-semantics.md §1.10.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/random.h"
#include "core/common/time.h"
#include "core/http/message.h"
#include "core/retry/backoff_strategy.h"
#include "core/retry/tps_budget.h"

namespace meshsim::core {

// Linkerd retries do not fit Envoy's RetryPolicy (different conditions, back-off, budget and
// body-size rule), so they have their own types (proxy-semantics §1.10).

// Linkerd buffers at most 64 KiB of request body for replay; larger requests are never retried.
inline constexpr std::uint64_t kLinkerdMaxRetryBodyBytes = 64 * 1024;

// An inclusive HTTP status range.
struct StatusRange {
  std::uint32_t low = 0;
  std::uint32_t high = 0;
  bool contains(std::uint32_t status) const { return status >= low && status <= high; }
};

// Why an attempt failed without a response, as Linkerd's retry layer distinguishes it
// (LP: route/retry.rs retryable_error).
enum class LinkerdAttemptError : std::uint8_t {
  kFailFast,                // the balancer is in fail-fast (no ready endpoint): retryable
  kResponseHeadersTimeout,  // retry.linkerd.io/timeout elapsed: retryable
  kRefusedStream,           // HTTP/2 REFUSED_STREAM: retryable
  kLoadShed,                // load shedding: not retryable
  kRequestTimeout,          // timeout.linkerd.io/request|response|idle: not retryable
  kOther,                   // any other transport error: not retryable
};

// (a) HTTPRoute / GRPCRoute / Service annotation retries (Linkerd >= 2.16).
struct LinkerdRouteRetryPolicy {
  std::uint32_t limit = 1;                      // retry.linkerd.io/limit
  std::vector<StatusRange> http_statuses;       // retry.linkerd.io/http
  std::uint32_t grpc_retry_on = 0;              // retry.linkerd.io/grpc, as RetryOn gRPC bits
  std::optional<Duration> per_attempt_timeout;  // retry.linkerd.io/timeout
  // Control-plane constants (L2: policy-controller outbound/http.rs convert_retry).
  Duration backoff_min = std::chrono::milliseconds(25);
  Duration backoff_max = std::chrono::milliseconds(250);
  double backoff_jitter = 1.0;
  std::uint64_t max_request_bytes = kLinkerdMaxRetryBodyBytes;

  bool retriesResponse(const Response& response) const;
  static bool retriesError(LinkerdAttemptError error);
};

// Parsers for the annotation values. Unknown tokens are reported in `diagnostics`.
// http: comma list of `NNN`, `NNN-MMM`, `gateway-error` (502-504), `5xx` (500-599).
std::vector<StatusRange> parseLinkerdHttpRetryConditions(std::string_view value,
                                                         std::vector<std::string>* diagnostics);
// grpc: cancelled, deadline-exceeded, internal, resource-exhausted, unavailable.
std::uint32_t parseLinkerdGrpcRetryConditions(std::string_view value,
                                              std::vector<std::string>* diagnostics);

// Per-request state for annotation retries: counts retries against `limit` and draws Linkerd's
// additive-jitter back-off. Returns the delay before the next attempt, or nullopt for no retry.
// No budget: Linkerd's route retries have none.
class LinkerdRouteRetryState {
 public:
  LinkerdRouteRetryState(const LinkerdRouteRetryPolicy& policy, std::uint64_t request_body_bytes);

  std::optional<Duration> shouldRetryResponse(const Response& response, RandomGenerator& rng);
  std::optional<Duration> shouldRetryError(LinkerdAttemptError error, RandomGenerator& rng);
  std::uint32_t retriesDone() const { return retries_done_; }

 private:
  std::optional<Duration> retryIf(bool retryable, RandomGenerator& rng);

  const LinkerdRouteRetryPolicy* policy_;
  LinkerdExponentialBackOff backoff_;
  bool body_replayable_;
  std::uint32_t retries_done_ = 0;
};

// (b) ServiceProfile route retries (legacy): retry at once, no count limit, gated only by the
// profile's TpsBudget; a response is retried iff the route classifies it as a failure (default:
// 5xx) and the body fits the replay buffer; transport errors are never retried (§1.10b, §10 item
// 16).
struct LinkerdProfileRoute {
  bool is_retryable = false;
  // responseClasses with isFailure: true; empty = Linkerd's default classification, 5xx failures.
  std::vector<StatusRange> failure_statuses;

  bool isFailure(const Response& response) const;
};

enum class LinkerdProfileRetryResult : std::uint8_t {
  kNoRetryDeposited,  // not a retriable failure: the budget earned a deposit
  kRetry,             // withdrawal succeeded: retry immediately
  kBudgetExhausted,   // retriable, but the budget refused: the failure is returned
  kNotReplayable,     // body too large (or route not retryable): the retry layer is bypassed
};

// One decision per attempt result. Assumption [UNVERIFIED]: a request whose body cannot be
// replayed bypasses the retry layer entirely (tower calls neither deposit nor withdraw for a
// request it cannot clone); the same holds for routes without isRetryable.
LinkerdProfileRetryResult linkerdProfileShouldRetry(const LinkerdProfileRoute& route,
                                                    const Response* response,
                                                    std::uint64_t request_body_bytes,
                                                    TpsBudget& budget, MonotonicTime now);

}  // namespace meshsim::core
