// Implements proxy-semantics.md §1.4 and §1.10a.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/common/random.h"
#include "core/common/time.h"

namespace meshsim::core {

struct RetryPolicy;

// Envoy's JitteredExponentialBackOffStrategy (proxy-semantics §1.4, the doubling version the code
// implements, not the `(2^k-1)·base` formula in the router docs — §10 item 1). Integer milliseconds
// like Envoy: retry k waits `random() % min(base·2^(k-1), max)` ms, so 0 ms is possible. One object
// per request; one draw per scheduled retry.
class JitteredExponentialBackOff {
 public:
  // base < 1 ms is raised to 1 ms (Envoy rounds sub-millisecond bases up, §1.1); max < base is
  // raised to base (Envoy rejects that configuration; validateRetryPolicy reports it).
  JitteredExponentialBackOff(std::uint64_t base_ms, std::uint64_t max_ms);
  // From a policy's retry_back_off (base, max or 10 × base).
  explicit JitteredExponentialBackOff(const RetryPolicy& policy);

  std::uint64_t nextBackOffMs(RandomGenerator& rng);
  Duration next(RandomGenerator& rng) { return std::chrono::milliseconds(nextBackOffMs(rng)); }
  void reset() { next_ms_ = base_ms_; }

  std::uint64_t baseMs() const { return base_ms_; }
  std::uint64_t maxMs() const { return max_ms_; }
  // Exclusive upper bound of the draw the next call will make.
  std::uint64_t currentBoundMs() const { return next_ms_; }

 private:
  std::uint64_t base_ms_;
  std::uint64_t max_ms_;
  // Doubling stops once the interval reaches max/2, so `next * 2` can never overflow past max.
  std::uint64_t doubling_limit_ms_;
  std::uint64_t next_ms_;
};

// Envoy's JitteredLowerBoundBackOffStrategy, used once for a retry whose response carried a
// rate-limit reset header (§1.4): `interval + random() % (interval / 2)`, i.e. [I, 1.5·I) ms.
// Requires interval_ms > 1 (the caller only builds it for such intervals, as Envoy does).
std::uint64_t jitteredLowerBoundBackOffMs(std::uint64_t interval_ms, RandomGenerator& rng);

// Linkerd's exp-backoff (§1.10a; LP: linkerd/exp-backoff/src/lib.rs): additive jitter on top of a
// doubling base, not full jitter.
//   base(n)  = min(min · 2^n, max)
//   delay(n) = base(n) + min(u · jitter · base(n), max - base(n)),  u uniform in [0,1)
// u is drawn like Rust's rand `random::<f64>()`: the top 53 bits of one 64-bit draw. As in Rust,
// the jitter product is truncated separately for the whole-second and the sub-second part of
// base(n).
class LinkerdExponentialBackOff {
 public:
  LinkerdExponentialBackOff(Duration min, Duration max, double jitter_ratio);

  // Empty when valid; else Linkerd's reason (min > max, max == 0, jitter outside [0,100] or not
  // finite).
  static std::optional<std::string> validate(Duration min, Duration max, double jitter_ratio);

  Duration base(std::uint32_t iteration) const;
  Duration jitter(Duration base, RandomGenerator& rng) const;
  // The delay before the next retry; advances the iteration (one stream per request).
  Duration next(RandomGenerator& rng);
  std::uint32_t iteration() const { return iteration_; }

 private:
  Duration min_;
  Duration max_;
  double jitter_ratio_;
  std::uint32_t iteration_ = 0;
};

// A uniform double in [0,1) from one 64-bit draw, as Rust's rand produces it.
double uniformUnitInterval(RandomGenerator& rng);

}  // namespace meshsim::core
