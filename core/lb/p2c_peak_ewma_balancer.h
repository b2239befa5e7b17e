// Implements proxy-semantics.md §5.8.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/common/random.h"
#include "core/common/time.h"
#include "core/lb/peak_ewma.h"
#include "core/upstream/host.h"

namespace meshsim::core {

// Linkerd's balancer (proxy-semantics §5.8; linkerd pool/p2c + tower peak-EWMA): among the ready
// endpoints, 0 ⇒ none (the caller waits up to the fail-fast timeout), 1 ⇒ that one, otherwise two
// *distinct* indices a, b and the one with the lower load(); a tie keeps a (§10 item 17). Draws are
// reduced with `% n` like every other balancer here (§0.1); Linkerd's rand uses uniform ranges, so
// the streams differ draw for draw but not in distribution.
//
// Ready = Host::healthy(). Failure accrual (§4.7) is applied by the owner, which passes only the
// available endpoints to chooseHostAmong(), so the outlier-ejection flags stay Envoy's alone.
// Per-endpoint state lives in a vector indexed by Host::index(). Linkerd does no priorities, panic
// or host-selection retries.
class P2cPeakEwmaBalancer {
 public:
  P2cPeakEwmaBalancer(const HostVector& hosts, MonotonicTime now,
                      Duration default_rtt = PeakEwma::kDefaultRtt,
                      Duration decay = PeakEwma::kDefaultDecay);

  Host* chooseHost(MonotonicTime now, RandomGenerator& random) {
    return chooseHostAmong(ready_, now, random);
  }
  // The same P2C over `candidates` (a subset of readyHosts(), e.g. without endpoints that failure
  // accrual made unavailable); the draws are those chooseHost() makes for that many endpoints.
  Host* chooseHostAmong(std::span<Host* const> candidates, MonotonicTime now,
                        RandomGenerator& random);

  // Re-reads membership and readiness; new endpoints start at default_rtt.
  void refresh(MonotonicTime now);

  void onRequestStart(const Host& host) { ewma_[host.index()].onRequestStart(); }
  void onRequestEnd(const Host& host, Duration rtt, MonotonicTime now) {
    ewma_[host.index()].onRequestEnd(rtt, now);
  }

  PeakEwma& ewma(const Host& host) { return ewma_[host.index()]; }
  const HostVector& readyHosts() const { return ready_; }

 private:
  const HostVector& hosts_;
  const Duration default_rtt_;
  const Duration decay_;
  std::vector<PeakEwma> ewma_;
  HostVector ready_;
};

}  // namespace meshsim::core
