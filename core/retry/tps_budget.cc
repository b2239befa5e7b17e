#include "core/retry/tps_budget.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meshsim::core {

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

std::int64_t saturatingMul(std::int64_t a, std::int64_t b) {
  if (a == 0 || b == 0) {
    return 0;
  }
  // Only non-negative operands occur here.
  return a > kMax / b ? kMax : a * b;
}

std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) {
  if (b > 0 && a > kMax - b) {
    return kMax;
  }
  if (b < 0 && a < kMin - b) {
    return kMin;
  }
  return a + b;
}

// Rust's saturating `f32 as isize`.
std::int64_t truncateSaturating(float value) {
  if (std::isnan(value)) {
    return 0;
  }
  if (value >= 9.2233720368547758e18f) {
    return kMax;
  }
  return static_cast<std::int64_t>(value);
}

}  // namespace

std::vector<std::string> TpsBudget::validate(const Config& config) {
  std::vector<std::string> errors;
  if (config.ttl < std::chrono::seconds(1) || config.ttl > std::chrono::seconds(60)) {
    errors.emplace_back("retry budget ttl must be within [1s, 60s]");
  }
  if (!(config.retry_ratio >= 0.0f && config.retry_ratio <= 1000.0f)) {
    errors.emplace_back("retry budget retryRatio must be within [0, 1000]");
  }
  if (config.min_retries_per_second >=
      static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) {
    errors.emplace_back("retry budget minRetriesPerSecond is too large");
  }
  return errors;
}

TpsBudget::TpsBudget(const Config& config, MonotonicTime now) : generation_time_(now) {
  const Duration ttl =
      std::clamp<Duration>(config.ttl, std::chrono::seconds(1), std::chrono::seconds(60));
  const float ratio =
      std::isnan(config.retry_ratio) ? 0.0f : std::clamp(config.retry_ratio, 0.0f, 1000.0f);
  if (ratio == 0.0f) {
    deposit_amount_ = 0;
    withdraw_amount_ = 1;
  } else if (ratio <= 1.0f) {
    deposit_amount_ = 1;
    withdraw_amount_ = truncateSaturating(1.0f / ratio);
  } else {
    deposit_amount_ = 1000;
    withdraw_amount_ = truncateSaturating(1000.0f / ratio);
  }
  const auto ttl_seconds = std::chrono::duration_cast<std::chrono::seconds>(ttl).count();
  reserve_ =
      saturatingMul(saturatingMul(config.min_retries_per_second, ttl_seconds), withdraw_amount_);
  window_ = ttl / static_cast<std::int64_t>(kSlots);
}

void TpsBudget::expire(MonotonicTime now) {
  const Duration diff = now > generation_time_ ? now - generation_time_ : Duration::zero();
  if (diff < window_) {
    return;
  }
  slots_[index_] = writer_;
  writer_ = 0;
  std::size_t idx = (index_ + 1) % kSlots;
  // Every further fully elapsed window is zeroed. The slot the new generation lands on keeps its
  // old value until the next commit, as in tower (it still counts towards the balance).
  // tower loops `while diff > window`; the closed form below zeroes the same slots without
  // iterating once per elapsed window after a long idle period.
  if (diff > window_) {
    const std::int64_t steps = (diff.count() - 1) / window_.count();
    const auto zeroed = static_cast<std::size_t>(std::min<std::int64_t>(steps, kSlots));
    for (std::size_t i = 0; i < zeroed; ++i) {
      slots_[(idx + i) % kSlots] = 0;
    }
    idx = (idx + static_cast<std::size_t>(steps % static_cast<std::int64_t>(kSlots))) % kSlots;
  }
  index_ = idx;
  // tower restarts the generation at `now`, not at a window boundary.
  generation_time_ = now;
}

std::int64_t TpsBudget::sum() const {
  std::int64_t windowed = 0;
  for (const std::int64_t slot : slots_) {
    windowed = saturatingAdd(windowed, slot);
  }
  return saturatingAdd(saturatingAdd(writer_, windowed), reserve_);
}

void TpsBudget::deposit(MonotonicTime now) {
  expire(now);
  writer_ += deposit_amount_;
}

bool TpsBudget::withdraw(MonotonicTime now) {
  expire(now);
  if (sum() >= withdraw_amount_) {
    writer_ -= withdraw_amount_;
    return true;
  }
  return false;
}

std::int64_t TpsBudget::balance(MonotonicTime now) {
  expire(now);
  return sum();
}

}  // namespace meshsim::core
