// Implements proxy-semantics.md §1.10b.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/time.h"

namespace meshsim::core {

// tower's TpsBudget, the retry budget of Linkerd ServiceProfiles (proxy-semantics §1.10b;
// tower/src/retry/budget/tps_budget.rs). Time is passed in explicitly, so the budget needs no
// timer: slots expire lazily on every access, as in tower.
//
//   ratio == 0      : deposit 0,    withdraw 1
//   0 < ratio <= 1  : deposit 1,    withdraw trunc(1 / ratio)      (0.3 -> 3: effective 1/3!)
//   ratio > 1       : deposit 1000, withdraw trunc(1000 / ratio)
//   reserve = min_retries_per_second · whole ttl seconds · withdraw  (constant, never refills)
//   balance = reserve + writer + sum(10 slots); window = ttl / 10
//
// The ratio arithmetic is single precision, as tower's f32 `retry_percent` (Linkerd's proto float).
// One budget is shared by every request to the profile's destination.
class TpsBudget {
 public:
  struct Config {
    // Linkerd's defaults when a ServiceProfile has isRetryable routes but no retryBudget
    // (L2: profile_translator.go defaultRetryBudget).
    Duration ttl = std::chrono::seconds(10);
    std::uint32_t min_retries_per_second = 10;
    float retry_ratio = 0.2f;
  };
  static constexpr std::size_t kSlots = 10;

  // Linkerd's proxy rejects ttl outside [1 s, 60 s] and a ratio outside [0, 1000]; returns those
  // problems (empty when valid). The constructor clamps instead of asserting like tower.
  static std::vector<std::string> validate(const Config& config);

  TpsBudget(const Config& config, MonotonicTime now);

  // Every response that is not retried (§1.10b).
  void deposit(MonotonicTime now);
  // Per retry: true (and the balance is charged) when the balance covers one withdrawal.
  bool withdraw(MonotonicTime now);
  // The balance after expiring slots at `now` (tower's sum()).
  std::int64_t balance(MonotonicTime now);

  std::int64_t depositAmount() const { return deposit_amount_; }
  std::int64_t withdrawAmount() const { return withdraw_amount_; }
  std::int64_t reserve() const { return reserve_; }
  Duration window() const { return window_; }

 private:
  void expire(MonotonicTime now);
  std::int64_t sum() const;

  std::int64_t deposit_amount_;
  std::int64_t withdraw_amount_;
  std::int64_t reserve_;
  Duration window_;
  std::array<std::int64_t, kSlots> slots_{};
  std::int64_t writer_ = 0;
  std::size_t index_ = 0;
  MonotonicTime generation_time_;
};

}  // namespace meshsim::core
