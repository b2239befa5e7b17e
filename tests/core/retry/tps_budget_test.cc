#include "core/retry/tps_budget.h"

#include <gtest/gtest.h>

namespace meshsim::core {
namespace {

using namespace std::chrono_literals;

TpsBudget::Config config(Duration ttl, std::uint32_t min_per_second, float ratio) {
  TpsBudget::Config c;
  c.ttl = ttl;
  c.min_retries_per_second = min_per_second;
  c.retry_ratio = ratio;
  return c;
}

TEST(TpsBudgetTest, AmountsTruncateOneOverRatio) {
  const TpsBudget point3(config(10s, 10, 0.3f), kTimeZero);
  EXPECT_EQ(point3.depositAmount(), 1);
  EXPECT_EQ(point3.withdrawAmount(), 3);  // effective ratio 1/3, not 0.3
  EXPECT_EQ(point3.reserve(), 10 * 10 * 3);
  EXPECT_EQ(point3.window(), 1s);

  const TpsBudget linkerd_default(TpsBudget::Config{}, kTimeZero);
  EXPECT_EQ(linkerd_default.withdrawAmount(), 5);
  EXPECT_EQ(linkerd_default.reserve(), 500);

  const TpsBudget zero(config(10s, 10, 0.0f), kTimeZero);
  EXPECT_EQ(zero.depositAmount(), 0);
  EXPECT_EQ(zero.withdrawAmount(), 1);
  EXPECT_EQ(zero.reserve(), 100);

  const TpsBudget two(config(10s, 1, 2.0f), kTimeZero);
  EXPECT_EQ(two.depositAmount(), 1000);
  EXPECT_EQ(two.withdrawAmount(), 500);

  // Only whole ttl seconds count towards the reserve; the window is an exact tenth.
  const TpsBudget fractional(config(1500ms, 2, 1.0f), kTimeZero);
  EXPECT_EQ(fractional.reserve(), 2);
  EXPECT_EQ(fractional.window(), 150ms);
}

TEST(TpsBudgetTest, ReserveAloneAllowsMinPerSecondTimesTtlRetries) {
  TpsBudget budget(config(10s, 10, 0.3f), kTimeZero);
  const MonotonicTime t = kTimeZero + 2s;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(budget.withdraw(t)) << i;
  }
  EXPECT_FALSE(budget.withdraw(t));
  // Three deposits buy exactly one more retry at ratio 0.3.
  budget.deposit(t);
  budget.deposit(t);
  EXPECT_FALSE(budget.withdraw(t));
  budget.deposit(t);
  EXPECT_TRUE(budget.withdraw(t));
  EXPECT_FALSE(budget.withdraw(t));
}

TEST(TpsBudgetTest, RetriesWithinATtlAreBoundedByFloorPlusRatioOfDeposits) {
  // min 1/s, ttl 10 s, ratio 0.5: 10 + 0.5 × 40 = 30 retries for 40 non-retried responses.
  TpsBudget budget(config(10s, 1, 0.5f), kTimeZero);
  int granted = 0;
  for (int step = 0; step < 40; ++step) {
    const MonotonicTime t = kTimeZero + step * 200ms;  // all within 8 s < ttl
    budget.deposit(t);
    while (budget.withdraw(t)) {
      ++granted;
    }
  }
  EXPECT_EQ(granted, 30);
}

TEST(TpsBudgetTest, EmptyBudgetRefuses) {
  TpsBudget budget(config(1s, 0, 1.0f), kTimeZero);
  EXPECT_FALSE(budget.withdraw(kTimeZero));
}

TEST(TpsBudgetTest, ReserveIsConstant) {
  TpsBudget budget(config(1s, 5, 1.0f), kTimeZero);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(budget.withdraw(kTimeZero));
  }
  EXPECT_FALSE(budget.withdraw(kTimeZero));
  // The reserve never refills; only the withdrawals themselves age out after the ttl.
  EXPECT_EQ(budget.balance(kTimeZero + 500ms), 0);
  EXPECT_EQ(budget.balance(kTimeZero + 3s), 5);
}

TEST(TpsBudgetTest, DepositsLeakAfterTheTtl) {
  TpsBudget budget(config(1s, 0, 1.0f), kTimeZero);
  budget.deposit(kTimeZero);
  EXPECT_FALSE(budget.withdraw(kTimeZero + 3s));
}

TEST(TpsBudgetTest, SlotsExpireOneWindowAtATime) {
  // tower's tps_slots scenario: ttl 1 s (ten 100 ms windows), ratio 0.5 (withdraw 2).
  TpsBudget budget(config(1s, 0, 0.5f), kTimeZero);
  MonotonicTime t = kTimeZero;
  budget.deposit(t);
  budget.deposit(t);
  t += 901ms;
  EXPECT_TRUE(budget.withdraw(t));  // 900 ms later the deposits still count

  t += 2001ms;  // blank slate
  budget.deposit(t);
  t += 301ms;
  budget.deposit(t);
  t += 801ms;
  budget.deposit(t);
  // The first of these three has expired; the second and third make one withdrawal.
  EXPECT_EQ(budget.balance(t), 2);
  EXPECT_TRUE(budget.withdraw(t));
  EXPECT_FALSE(budget.withdraw(t));
}

TEST(TpsBudgetTest, LongIdlePeriodClearsEverySlot) {
  TpsBudget budget(config(10s, 0, 1.0f), kTimeZero);
  for (int i = 0; i < 10; ++i) {
    budget.deposit(kTimeZero + i * 1s);
  }
  EXPECT_EQ(budget.balance(kTimeZero + 9s), 10);
  EXPECT_EQ(budget.balance(kTimeZero + 24h), 0);
}

TEST(TpsBudgetTest, Validation) {
  EXPECT_TRUE(TpsBudget::validate(TpsBudget::Config{}).empty());
  EXPECT_EQ(TpsBudget::validate(config(500ms, 10, 0.2f)).size(), 1u);
  EXPECT_EQ(TpsBudget::validate(config(61s, 10, 0.2f)).size(), 1u);
  EXPECT_EQ(TpsBudget::validate(config(10s, 10, 1001.0f)).size(), 1u);
  EXPECT_EQ(TpsBudget::validate(config(10s, 10, -1.0f)).size(), 1u);
}

}  // namespace
}  // namespace meshsim::core
