#include "core/retry/backoff_strategy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/retry/retry_policy.h"

namespace meshsim::core {

JitteredExponentialBackOff::JitteredExponentialBackOff(std::uint64_t base_ms, std::uint64_t max_ms)
    : base_ms_(std::max<std::uint64_t>(base_ms, 1)),
      max_ms_(std::max(max_ms, base_ms_)),
      doubling_limit_ms_(max_ms_ / 2),
      next_ms_(base_ms_) {}

namespace {
std::uint64_t nonNegativeMs(Duration d) {
  const std::int64_t ms = toMilliseconds(d);
  return ms < 0 ? 0 : static_cast<std::uint64_t>(ms);
}
}  // namespace

JitteredExponentialBackOff::JitteredExponentialBackOff(const RetryPolicy& policy)
    : JitteredExponentialBackOff(
          std::max<std::uint64_t>(nonNegativeMs(policy.backoff_base_interval), 1),
          // The 10 × base default is computed on the rounded base, as Envoy does in ms.
          policy.backoff_max_interval
              ? nonNegativeMs(*policy.backoff_max_interval)
              : 10 * std::max<std::uint64_t>(nonNegativeMs(policy.backoff_base_interval), 1)) {}

std::uint64_t JitteredExponentialBackOff::nextBackOffMs(RandomGenerator& rng) {
  const std::uint64_t bound = next_ms_;
  next_ms_ = next_ms_ < doubling_limit_ms_ ? next_ms_ * 2 : max_ms_;
  return rng.random() % bound;
}

std::uint64_t jitteredLowerBoundBackOffMs(std::uint64_t interval_ms, RandomGenerator& rng) {
  const std::uint64_t spread = interval_ms >> 1;
  // interval_ms <= 1 would divide by zero; Envoy asserts it never happens, we degrade to I.
  if (spread == 0) {
    return interval_ms;
  }
  return rng.random() % spread + interval_ms;
}

double uniformUnitInterval(RandomGenerator& rng) {
  return static_cast<double>(rng.random() >> 11) * 0x1.0p-53;
}

LinkerdExponentialBackOff::LinkerdExponentialBackOff(Duration min, Duration max,
                                                     double jitter_ratio)
    : min_(min), max_(std::max(min, max)), jitter_ratio_(jitter_ratio) {}

std::optional<std::string> LinkerdExponentialBackOff::validate(Duration min, Duration max,
                                                               double jitter_ratio) {
  if (min > max) {
    return "maximum must not be less than minimum";
  }
  if (max == Duration::zero()) {
    return "maximum must be non-zero";
  }
  if (!std::isfinite(jitter_ratio)) {
    return "jitter must be finite";
  }
  if (jitter_ratio < 0.0) {
    return "jitter must not be negative";
  }
  if (jitter_ratio > 100.0) {
    return "jitter must not be greater than 100";
  }
  return std::nullopt;
}

Duration LinkerdExponentialBackOff::base(std::uint32_t iteration) const {
  // checked_mul(2^n) overflowing falls back to max, as in Rust.
  if (iteration >= 63) {
    return max_;
  }
  const auto factor = std::int64_t{1} << iteration;
  if (min_.count() > std::numeric_limits<std::int64_t>::max() / factor) {
    return max_;
  }
  return std::min(min_ * factor, max_);
}

Duration LinkerdExponentialBackOff::jitter(Duration base_delay, RandomGenerator& rng) const {
  if (jitter_ratio_ == 0.0) {
    return Duration::zero();
  }
  const double factor = uniformUnitInterval(rng) * jitter_ratio_;
  const std::int64_t secs = base_delay.count() / 1'000'000'000;
  const std::int64_t nanos = base_delay.count() % 1'000'000'000;
  const auto jitter_secs = static_cast<std::int64_t>(static_cast<double>(secs) * factor);
  const auto jitter_nanos = static_cast<std::int64_t>(static_cast<double>(nanos) * factor);
  const Duration jittered = std::chrono::seconds(jitter_secs) + Duration(jitter_nanos);
  return std::min(jittered, max_ - base_delay);
}

Duration LinkerdExponentialBackOff::next(RandomGenerator& rng) {
  const Duration b = base(iteration_);
  const Duration delay = b + jitter(b, rng);
  if (iteration_ != std::numeric_limits<std::uint32_t>::max()) {
    ++iteration_;
  }
  return delay;
}

}  // namespace meshsim::core
