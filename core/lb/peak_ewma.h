// Implements proxy-semantics.md §5.8 (peak-EWMA load).
#pragma once

#include <cstdint>

#include "core/common/time.h"

namespace meshsim::core {

// Linkerd's per-endpoint load metric (proxy-semantics §5.8; tower's PeakEwma): a peak-sensitive
// exponentially weighted RTT estimate times (pending + 1). A sample above the estimate replaces it
// at once; otherwise est = est·w + sample·(1 − w), w = exp(−elapsed/τ). Reading the load decays
// the estimate toward 0 (an update with a zero sample), so idle endpoints get cheaper over time.
class PeakEwma {
 public:
  static constexpr Duration kDefaultRtt = std::chrono::milliseconds(30);
  static constexpr Duration kDefaultDecay = std::chrono::seconds(10);

  explicit PeakEwma(MonotonicTime now, Duration default_rtt = kDefaultRtt,
                    Duration decay = kDefaultDecay);

  // cost = rtt_estimate(ns) × (pending + 1), after decaying the estimate to `now`.
  double load(MonotonicTime now);

  // A request was issued to this endpoint.
  void onRequestStart() { ++pending_; }
  // A request completed (Linkerd: its first response data frame) after `rtt`, observed at `now`.
  void onRequestEnd(Duration rtt, MonotonicTime now);

  double rttEstimateNanos() const { return rtt_ns_; }
  std::uint32_t pending() const { return pending_; }

 private:
  void update(double sample_ns, MonotonicTime now);

  double rtt_ns_;
  double decay_ns_;
  MonotonicTime updated_at_;
  std::uint32_t pending_ = 0;
};

}  // namespace meshsim::core
