#include "core/retry/backoff_strategy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "core/retry/retry_policy.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;
using namespace std::chrono_literals;

constexpr std::uint64_t kMaxDraw = std::numeric_limits<std::uint64_t>::max();

// proxy-semantics §1.4: retry k waits U[0, min(25·2^(k-1), 250)) ms.
const std::vector<std::uint64_t> kDefaultBounds{25, 50, 100, 200, 250, 250, 250};

TEST(JitteredExponentialBackOffTest, DefaultBoundsDoubleThenCap) {
  JitteredExponentialBackOff backoff(RetryPolicy{});
  EXPECT_EQ(backoff.baseMs(), 25u);
  EXPECT_EQ(backoff.maxMs(), 250u);
  for (const std::uint64_t bound : kDefaultBounds) {
    EXPECT_EQ(backoff.currentBoundMs(), bound);
    ScriptedRandom rng{bound - 1};
    EXPECT_EQ(backoff.nextBackOffMs(rng), bound - 1);  // the largest value is b-1
  }
}

TEST(JitteredExponentialBackOffTest, ZeroIsPossibleAndTheBoundIsExclusive) {
  JitteredExponentialBackOff backoff(25, 250);
  for (const std::uint64_t bound : kDefaultBounds) {
    ScriptedRandom rng{bound};  // bound % bound == 0
    EXPECT_EQ(backoff.nextBackOffMs(rng), 0u);
  }
}

TEST(JitteredExponentialBackOffTest, ReducesByModuloNotScaling) {
  // 2^64-1 ≡ 15 (mod 25, 50, 100, 200) and ≡ 115 (mod 250): Envoy's `random() % b`.
  JitteredExponentialBackOff backoff(25, 250);
  ScriptedRandom rng{kMaxDraw, kMaxDraw, kMaxDraw, kMaxDraw, kMaxDraw};
  EXPECT_EQ(backoff.next(rng), 15ms);
  EXPECT_EQ(backoff.next(rng), 15ms);
  EXPECT_EQ(backoff.next(rng), 15ms);
  EXPECT_EQ(backoff.next(rng), 15ms);
  EXPECT_EQ(backoff.next(rng), 115ms);
  EXPECT_EQ(rng.draws(), 5u);
}

TEST(JitteredExponentialBackOffTest, NotTheDocumentedTwoToTheNMinusOneFormula) {
  // The router docs' [0,(2^N-1)·B) would give a third bound of 175; the code gives 100.
  JitteredExponentialBackOff backoff(25, 250);
  ScriptedRandom rng{0, 0};
  backoff.nextBackOffMs(rng);
  backoff.nextBackOffMs(rng);
  EXPECT_EQ(backoff.currentBoundMs(), 100u);
}

TEST(JitteredExponentialBackOffTest, CustomBaseAndMaxAndReset) {
  RetryPolicy policy;
  policy.backoff_base_interval = 100ms;
  policy.backoff_max_interval = 300ms;  // doubling limit 150: 100 -> 200 -> 300
  JitteredExponentialBackOff backoff(policy);
  ScriptedRandom rng{0, 0, 0};
  EXPECT_EQ(backoff.currentBoundMs(), 100u);
  backoff.nextBackOffMs(rng);
  EXPECT_EQ(backoff.currentBoundMs(), 200u);
  backoff.nextBackOffMs(rng);
  EXPECT_EQ(backoff.currentBoundMs(), 300u);
  backoff.reset();
  EXPECT_EQ(backoff.currentBoundMs(), 100u);
}

TEST(JitteredExponentialBackOffTest, SubMillisecondBaseRoundsUpToOne) {
  RetryPolicy policy;
  policy.backoff_base_interval = 500us;
  JitteredExponentialBackOff backoff(policy);
  EXPECT_EQ(backoff.baseMs(), 1u);
  EXPECT_EQ(backoff.maxMs(), 10u);
}

TEST(JitteredLowerBoundBackOffTest, RangeIsIToOneAndAHalfI) {
  ScriptedRandom rng{0, 999, 1000};
  EXPECT_EQ(jitteredLowerBoundBackOffMs(2000, rng), 2000u);
  EXPECT_EQ(jitteredLowerBoundBackOffMs(2000, rng), 2999u);
  EXPECT_EQ(jitteredLowerBoundBackOffMs(2000, rng), 2000u);  // 1000 % 1000
}

TEST(LinkerdExponentialBackOffTest, AdditiveJitterRanges) {
  // §1.10a with 25/250/1.0: [25,50) [50,100) [100,200) [200,250] then 250.
  LinkerdExponentialBackOff low(25ms, 250ms, 1.0);
  ScriptedRandom zeros{0, 0, 0, 0, 0, 0};
  EXPECT_EQ(low.next(zeros), 25ms);
  EXPECT_EQ(low.next(zeros), 50ms);
  EXPECT_EQ(low.next(zeros), 100ms);
  EXPECT_EQ(low.next(zeros), 200ms);
  EXPECT_EQ(low.next(zeros), 250ms);
  EXPECT_EQ(low.next(zeros), 250ms);

  // u = 1 - 2^-53: the jitter truncates to just under base, and is capped by max - base.
  LinkerdExponentialBackOff high(25ms, 250ms, 1.0);
  ScriptedRandom ones{kMaxDraw, kMaxDraw, kMaxDraw, kMaxDraw, kMaxDraw};
  EXPECT_EQ(high.next(ones), 50ms - 1ns);
  EXPECT_EQ(high.next(ones), 100ms - 1ns);
  EXPECT_EQ(high.next(ones), 200ms - 1ns);
  EXPECT_EQ(high.next(ones), 250ms);  // 200 + min(~200, 50)
  EXPECT_EQ(high.next(ones), 250ms);  // base already at max: no jitter room
}

TEST(LinkerdExponentialBackOffTest, HalfDrawAddsHalfTheBase) {
  LinkerdExponentialBackOff backoff(25ms, 250ms, 1.0);
  ScriptedRandom rng{std::uint64_t{1} << 63};  // u = 0.5
  EXPECT_EQ(backoff.next(rng), 37500us);
}

TEST(LinkerdExponentialBackOffTest, ZeroJitterDrawsNothing) {
  LinkerdExponentialBackOff backoff(25ms, 250ms, 0.0);
  ScriptedRandom rng;
  EXPECT_EQ(backoff.next(rng), 25ms);
  EXPECT_EQ(rng.draws(), 0u);
}

TEST(LinkerdExponentialBackOffTest, Validation) {
  EXPECT_FALSE(LinkerdExponentialBackOff::validate(25ms, 250ms, 1.0));
  EXPECT_TRUE(LinkerdExponentialBackOff::validate(300ms, 250ms, 1.0));
  EXPECT_TRUE(LinkerdExponentialBackOff::validate(0ms, 0ms, 1.0));
  EXPECT_TRUE(LinkerdExponentialBackOff::validate(25ms, 250ms, -0.1));
  EXPECT_TRUE(LinkerdExponentialBackOff::validate(25ms, 250ms, 100.5));
}

}  // namespace
}  // namespace meshsim::core
