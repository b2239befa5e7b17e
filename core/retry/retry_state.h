// Implements proxy-semantics.md §1.2-§1.3.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/circuit_breaker/resource_limit.h"
#include "core/common/random.h"
#include "core/common/time.h"
#include "core/http/message.h"
#include "core/retry/backoff_strategy.h"
#include "core/retry/retry_policy.h"
#include "core/stats/cluster_stats.h"
#include "core/stats/response_flags.h"
#include "core/upstream/reset_reason.h"

namespace meshsim::core {

// The retry-related request headers a router consumes (proxy-semantics §1.1, E: retry_state_impl.cc
// RetryStateImpl::create and router.cc FilterUtility::finalTimeout / finalHedgingParams). They are
// parsed once per request and stripped so they never reach the upstream. Vectors are filled only
// when the corresponding header is present, so the common request allocates nothing.
struct RetryRequestHeaders {
  static constexpr std::string_view kRetryOn = "x-envoy-retry-on";
  static constexpr std::string_view kRetryGrpcOn = "x-envoy-retry-grpc-on";
  static constexpr std::string_view kMaxRetries = "x-envoy-max-retries";
  static constexpr std::string_view kRetriableStatusCodes = "x-envoy-retriable-status-codes";
  static constexpr std::string_view kRetriableHeaderNames = "x-envoy-retriable-header-names";
  static constexpr std::string_view kPerTryTimeoutMs = "x-envoy-upstream-rq-per-try-timeout-ms";
  static constexpr std::string_view kHedgeOnPerTryTimeout = "x-envoy-hedge-on-per-try-timeout";

  // x-envoy-retry-on or x-envoy-retry-grpc-on was present, even with no valid token: Envoy then
  // creates retry state although the route has no policy.
  bool retry_on_present = false;
  // HTTP tokens of x-envoy-retry-on | gRPC tokens of x-envoy-retry-grpc-on, OR-ed into the policy.
  std::uint32_t retry_on = 0;
  // Replaces num_retries, but only when the merged retry_on is non-zero.
  std::optional<std::uint32_t> max_retries;
  // Appended to the policy's retriable_status_codes.
  std::vector<std::uint32_t> retriable_status_codes;
  // Name-only matchers appended to the policy's retriable headers.
  std::vector<std::string> retriable_header_names;
  // For the router's timeout computation (§1.5), not used by RetryState.
  std::optional<Duration> per_try_timeout;
  std::optional<bool> hedge_on_per_try_timeout;

  // Parses and removes every header above.
  static RetryRequestHeaders consume(HeaderList& headers);
};

// How a failed attempt is classified (Envoy RetryState::RetryDecision).
enum class RetryDecision : std::uint8_t { kNoRetry, kRetryImmediately, kRetryWithBackoff };

// The outcome of shouldRetry* (Envoy RetryStatus).
enum class RetryStatus : std::uint8_t {
  kNo,                    // not retriable: forward the response / synthesise the reset reply
  kNoOverflow,            // retriable but the retry circuit breaker refused: flag UO
  kNoRetryLimitExceeded,  // retriable but no retries left: flag URX
  kYes,                   // retry scheduled
};

enum class RetryBackOffKind : std::uint8_t {
  kNone,           // no retry
  kNextIteration,  // RetryImmediately: run on the next loop turn (delay 0)
  kExponential,    // JitteredExponentialBackOff draw
  kRateLimited,    // [I, 1.5 I) from a reset header
};

struct RetryOutcome {
  RetryStatus status = RetryStatus::kNo;
  RetryBackOffKind backoff = RetryBackOffKind::kNone;
  // How long the caller waits before starting the retried attempt (valid when status == kYes).
  Duration delay{0};

  bool retry() const { return status == RetryStatus::kYes; }
  // URX for a limit refusal, UO for a circuit-breaker refusal, none otherwise (§1.3).
  ResponseFlags responseFlags() const;
};

// Envoy's per-request RetryStateImpl (proxy-semantics §1.2, §1.3).
//
// Timer choice: shouldRetry* does not arm a timer. It returns the back-off in RetryOutcome::delay
// and the caller (the per-request router state machine) arms its own EventLoop timer and starts the
// next attempt when it fires. That keeps this class a pure decision object, equally drivable by the
// simulator and by a socket host, and lets the caller cancel the wait with its own timer. A delay
// of 0 means "on a later loop turn": Timer::enable(0) never fires re-entrantly.
//
// Resource accounting is done here, exactly as in Envoy: a scheduled retry takes one unit of the
// cluster's retries ResourceLimit and keeps it through the back-off wait and the whole retried
// attempt, until the next shouldRetry* call or resetRetry() (called by the destructor; the caller
// calls it explicitly when the request ends early, e.g. downstream reset or route timeout).
//
// Create one only when wouldCreate() is true (Envoy allocates no retry state otherwise); callers
// typically hold std::optional<RetryState> and emplace() it.
class RetryState {
 public:
  RetryState(const RetryPolicy& policy, const RetryRequestHeaders* request_headers,
             ResourceLimit& retries, ClusterStats& stats);
  ~RetryState();
  RetryState(const RetryState&) = delete;
  RetryState& operator=(const RetryState&) = delete;

  static bool wouldCreate(const RetryPolicy& policy, const RetryRequestHeaders* request_headers) {
    return policy.retry_on != 0 ||
           (request_headers != nullptr && request_headers->retry_on_present);
  }

  // §1.2(a), first hit wins: x-envoy-ratelimited short-circuits everything, then 5xx,
  // gateway-error, retriable-4xx (409), retriable-status-codes, retriable-headers, gRPC status in
  // the response headers. A 425 listed in retriable status codes is retried immediately (Envoy's
  // early-data path; meshsim never sends early data, so the downstream was never early data).
  RetryDecision wouldRetryFromHeaders(const Response& response) const;
  // §1.2(b). `upstream_request_started`: some request bytes were already sent upstream (decides
  // reset-before-request). HTTP/3 0-RTT and http3-post-connect-failure paths are not modelled.
  RetryDecision wouldRetryFromReset(ResetReason reason, bool upstream_request_started) const;

  // The §1.3 decision with its side effects on the retries resource and the stats.
  RetryOutcome shouldRetry(RetryDecision decision, RandomGenerator& rng);
  // wouldRetryFromHeaders + rate-limited back-off parsing + shouldRetry. `unix_now` is the wall
  // clock for X-RateLimit-Reset style headers; without it such headers are ignored.
  RetryOutcome shouldRetryHeaders(const Response& response, RandomGenerator& rng,
                                  std::optional<std::chrono::seconds> unix_now = std::nullopt);
  RetryOutcome shouldRetryReset(ResetReason reason, bool upstream_request_started,
                                RandomGenerator& rng);
  // Hedged per-try timeout (§1.5): always classified RETRY_WITH_BACKOFF, no retry_on check, but it
  // consumes retries_remaining and the retry circuit breaker like any other retry.
  RetryOutcome shouldHedgeRetryPerTryTimeout(RandomGenerator& rng);

  // Releases the retries resource if a retry is pending (request finished or abandoned).
  void resetRetry();

  std::uint32_t retryOn() const { return retry_on_; }
  std::uint32_t retriesRemaining() const { return retries_remaining_; }
  bool retryPending() const { return retry_pending_; }
  std::uint32_t hostSelectionMaxAttempts() const {
    return policy_->host_selection_retry_max_attempts;
  }
  const RetryPolicy& policy() const { return *policy_; }
  const JitteredExponentialBackOff& backOff() const { return backoff_; }

 private:
  bool statusRetriable(std::uint32_t status) const;
  bool headersRetriable(const HeaderList& headers) const;
  std::optional<std::uint64_t> parseResetIntervalMs(
      const HeaderList& headers, std::optional<std::chrono::seconds> unix_now) const;

  const RetryPolicy* policy_;
  ResourceLimit* retries_;
  ClusterStats* stats_;
  std::uint32_t retry_on_;
  std::uint32_t retries_remaining_;
  JitteredExponentialBackOff backoff_;
  // Set by shouldRetryHeaders when the response carried a usable reset header; consumed by the
  // next scheduled retry only (Envoy resets its JitteredLowerBoundBackOffStrategy after one use).
  std::optional<std::uint64_t> ratelimited_interval_ms_;
  std::vector<std::uint32_t> extra_status_codes_;
  std::vector<std::string> extra_header_names_;
  bool retry_pending_ = false;
};

}  // namespace meshsim::core
