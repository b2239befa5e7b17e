// Implements proxy-semantics.md §6.3.
#pragma once

#include <cstdint>
#include <optional>

#include "core/common/random.h"
#include "core/common/time.h"
#include "core/fault/http_fault.h"
#include "core/stats/response_flags.h"

namespace meshsim::core {

// http.<hcm_prefix>.fault.* (proxy-semantics §6.3). active_faults is a gauge.
struct FaultStats {
  std::uint64_t delays_injected = 0;
  std::uint64_t aborts_injected = 0;
  std::uint64_t faults_overflow = 0;
  std::uint64_t active_faults = 0;
};

enum class FaultAction {
  kContinue,  // hand the request to the router
  kDelay,     // hold the request for `delay`, then call onDelayElapsed()
  kAbort,     // local reply with http_status (+ grpc_status); never reaches the router
};

struct FaultDecision {
  FaultAction action = FaultAction::kContinue;
  Duration delay{0};
  std::uint32_t http_status = 0;
  std::optional<std::uint32_t> grpc_status;
  ResponseFlags flags = 0;  // DI and/or FI, to be OR-ed into the request's flags
};

// Per-request fault filter state the caller keeps with the stream.
struct FaultStreamState {
  bool fault_active = false;  // this stream holds one unit of active_faults
};

// Envoy's fault filter decision logic (E: fault_filter.cc, proxy-semantics §6.3), one instance per
// HTTP connection manager (the active_faults gauge and stats are filter-wide; max_active_faults
// comes from the route's HttpFault). It returns decisions; the caller arms the delay timer and
// sends the local reply.
//
// Draw order, matching current Envoy: a delay test (one random() draw, only if a delay is
// configured); if it passes with a duration of at least 1 ms and the overflow check passes, the
// request is delayed and the abort test (a second, independent draw) is made only when the delay
// elapses. Otherwise the abort test is made immediately. The overflow check runs only when a fault
// is about to be injected, so a request refused twice counts faults_overflow twice.
class FaultInjector {
 public:
  FaultDecision onRequestHeaders(const HttpFault& fault, RandomGenerator& rng,
                                 FaultStreamState& state);
  // After the delay: abort (still counted as the same active fault) or continue.
  FaultDecision onDelayElapsed(const HttpFault& fault, RandomGenerator& rng,
                               FaultStreamState& state);
  // The stream is gone (reply sent, reset, or completed): release its active fault.
  void onStreamDestroyed(FaultStreamState& state);

  const FaultStats& stats() const { return stats_; }

 private:
  bool tryIncActiveFaults(const HttpFault& fault, FaultStreamState& state);
  std::optional<FaultDecision> abortDecision(const HttpFault& fault, RandomGenerator& rng);

  FaultStats stats_;
};

}  // namespace meshsim::core
