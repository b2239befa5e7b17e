// Implements proxy-semantics.md §4.7.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/random.h"
#include "core/common/time.h"
#include "core/upstream/host.h"

namespace meshsim::core {

// Linkerd's consecutive failure accrual (`balancer.linkerd.io/failure-accrual: consecutive`),
// proxy-semantics §4.7. Field names follow the
// `balancer.linkerd.io/failure-accrual-consecutive-*` annotations.
struct FailureAccrualConfig {
  struct Diagnostic {
    std::string field;
    std::string message;
  };

  std::uint32_t max_failures = 7;
  // The exponential back-off of the shut state: min-penalty is its first base, max-penalty its cap.
  Duration min_penalty = std::chrono::seconds(1);
  Duration max_penalty = std::chrono::minutes(1);
  double jitter_ratio = 0.5;

  std::vector<Diagnostic> validate() const;
};

// Linkerd's ExponentialBackoff (LP: linkerd/exp-backoff), additive jitter (proxy-semantics §1.10):
//   base(n)  = min(min · 2^n, max)
//   delay(n) = base(n) + min(U[0,1) · jitter_ratio · base(n), max − base(n))
// U is drawn only when jitter_ratio > 0, from the top 53 bits of one random() draw.
Duration linkerdBackoffDelay(Duration min, Duration max, double jitter_ratio,
                             std::uint32_t iteration, RandomGenerator& random);

// Per-endpoint breaker state for one balancer (Linkerd: one breaker task per endpoint),
// following LP: linkerd/app/outbound/src/http/breaker/consecutive_failures.rs:
//   Available: counts consecutive failures; `max_failures` (equality) shuts the endpoint.
//   Shut:      unavailable for delay(n); responses that arrive meanwhile are ignored.
//   Probation: after the delay, exactly one request is admitted; the next response decides —
//              success ⇒ Available, failure ⇒ Shut for delay(n+1). A fresh trip restarts at n = 0.
// Linkerd wakes a task when the delay ends; here Shut → Probation is evaluated lazily from `now`,
// which is observably the same for a balancer that asks isAvailable() before each pick.
// Failure classification (HTTP 5xx, gRPC DATA_LOSS/DEADLINE_EXCEEDED/INTERNAL/
// PERMISSION_DENIED/UNAVAILABLE, transport errors) is the caller's; see isFailureStatus().
// The unified mode (success-rate window) is not implemented.
class FailureAccrual {
 public:
  enum class State : std::uint8_t { Available, Shut, Probation };

  // `config` must be valid. `hosts` sizes the per-host state (indexed by Host::index()).
  FailureAccrual(const FailureAccrualConfig& config, RandomGenerator& random,
                 std::size_t host_count);

  // Grows or shrinks the per-host state after an endpoint update. New indices start Available.
  void setHostCount(std::size_t host_count);
  // Forgets a host's breaker (the endpoint left and may come back as a new one).
  void resetHost(const Host& host);

  // Whether the balancer may pick `host` now. In probation this is true until the single probe
  // request has been dispatched.
  bool isAvailable(const Host& host, MonotonicTime now) const;
  // The balancer dispatched a request to `host`; in probation this consumes the only permit.
  void onRequestDispatched(const Host& host, MonotonicTime now);
  // A response (or transport error) for a request to `host`, classified by the caller. In
  // probation it is the next response that decides, whichever request it belongs to, as in
  // Linkerd where the breaker reads the next item from the host's response channel.
  void onResponse(const Host& host, bool success, MonotonicTime now);

  State state(const Host& host, MonotonicTime now) const;
  std::uint32_t consecutiveFailures(const Host& host) const {
    return hosts_[host.index()].failures;
  }
  // When the current shut period ends (meaningful in Shut).
  MonotonicTime shutUntil(const Host& host) const { return hosts_[host.index()].shut_until; }

  // HTTP statuses Linkerd's default response classifier counts as failures (5xx).
  static constexpr bool isFailureStatus(std::uint32_t http_status) {
    return http_status >= 500 && http_status <= 599;
  }

 private:
  struct HostState {
    State state = State::Available;
    bool probe_dispatched = false;
    std::uint32_t failures = 0;
    std::uint32_t backoff_iteration = 0;
    MonotonicTime shut_until{};
  };

  void shut(HostState& h, MonotonicTime now);

  FailureAccrualConfig config_;
  RandomGenerator& random_;
  std::vector<HostState> hosts_;
};

}  // namespace meshsim::core
