#include "core/outlier/failure_accrual.h"

#include <gtest/gtest.h>

#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using State = FailureAccrual::State;

MonotonicTime at(Duration d) {
  return kTimeZero + d;
}

// random() value whose top 53 bits give U = 0.5.
constexpr std::uint64_t kHalf = 1ULL << 63;

TEST(FailureAccrualConfigTest, LinkerdDefaults) {
  const FailureAccrualConfig c;
  EXPECT_EQ(c.max_failures, 7u);
  EXPECT_EQ(c.min_penalty, 1s);
  EXPECT_EQ(c.max_penalty, 60s);
  EXPECT_EQ(c.jitter_ratio, 0.5);
  EXPECT_TRUE(c.validate().empty());
}

TEST(FailureAccrualConfigTest, Validation) {
  FailureAccrualConfig c;
  c.max_failures = 0;
  c.min_penalty = 10s;
  c.max_penalty = 5s;
  c.jitter_ratio = -1;
  EXPECT_EQ(c.validate().size(), 3u);
  c.min_penalty = 0s;
  c.max_penalty = 60s;
  c.jitter_ratio = 0.5;
  ASSERT_EQ(c.validate().size(), 2u);
  EXPECT_EQ(c.validate()[1].field, "min_penalty");
}

// proxy-semantics §1.10: base(n) = min(min·2^n, max); additive jitter, clipped to max − base.
TEST(LinkerdBackoffTest, DoublingWithoutJitter) {
  testing::ScriptedRandom rng;
  const Duration expected[] = {1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s};
  for (std::uint32_t n = 0; n < 8; ++n) {
    EXPECT_EQ(linkerdBackoffDelay(1s, 60s, 0.0, n, rng), expected[n]) << n;
  }
  EXPECT_EQ(linkerdBackoffDelay(1s, 60s, 0.0, 1000, rng), 60s);
  EXPECT_EQ(rng.draws(), 0u);
}

TEST(LinkerdBackoffTest, AdditiveJitterClippedToMax) {
  testing::ScriptedRandom rng{kHalf, kHalf, kHalf, 0, ~0ULL};
  EXPECT_EQ(linkerdBackoffDelay(1s, 60s, 0.5, 0, rng), 1250ms);    // 1 + 0.5·0.5·1
  EXPECT_EQ(linkerdBackoffDelay(1s, 60s, 0.5, 5, rng), 40s);       // 32 + 0.25·32
  EXPECT_EQ(linkerdBackoffDelay(1s, 60s, 0.5, 6, rng), 60s);       // at max: no room for jitter
  EXPECT_EQ(linkerdBackoffDelay(1s, 60s, 0.5, 0, rng), 1s);        // U = 0
  const Duration top = linkerdBackoffDelay(1s, 60s, 0.5, 0, rng);  // U just below 1
  EXPECT_GT(top, 1499ms);
  EXPECT_LE(top, 1500ms);  // 0.5·(1 − 2⁻⁵³) s rounds to 0.5 s at nanosecond resolution
  // Retry flavour (25/250 ms, ratio 1.0): the 4th retry's base is 200 ms, jitter clipped at 50 ms.
  testing::ScriptedRandom retry_rng{kHalf};
  EXPECT_EQ(linkerdBackoffDelay(25ms, 250ms, 1.0, 3, retry_rng), 250ms);
}

class FailureAccrualTest : public ::testing::Test {
 protected:
  FailureAccrualTest() : accrual_(FailureAccrualConfig{}, rng_, 2) {}

  void fail(MonotonicTime now, int times = 1) {
    for (int i = 0; i < times; ++i) {
      accrual_.onResponse(host_, false, now);
    }
  }

  // U = 0: every shut period is exactly base(n).
  testing::ScriptedRandom rng_{0, 0, 0, 0, 0, 0};
  FailureAccrual accrual_;
  Host host_{0, "10.0.0.1"};
  Host other_{1, "10.0.0.2"};
};

TEST_F(FailureAccrualTest, SevenConsecutiveFailuresTrip) {
  fail(at(0s), 6);
  EXPECT_TRUE(accrual_.isAvailable(host_, at(0s)));
  EXPECT_EQ(accrual_.consecutiveFailures(host_), 6u);
  accrual_.onResponse(host_, true, at(0s));
  EXPECT_EQ(accrual_.consecutiveFailures(host_), 0u);
  fail(at(1s), 6);
  EXPECT_TRUE(accrual_.isAvailable(host_, at(1s)));
  EXPECT_EQ(rng_.draws(), 0u);
  fail(at(1s));
  EXPECT_FALSE(accrual_.isAvailable(host_, at(1s)));
  EXPECT_EQ(accrual_.state(host_, at(1s)), State::Shut);
  EXPECT_EQ(rng_.draws(), 1u);  // the jittered penalty is drawn when the breaker shuts
  EXPECT_TRUE(accrual_.isAvailable(other_, at(1s)));
}

TEST_F(FailureAccrualTest, PenaltyThenProbationAdmitsExactlyOneRequest) {
  fail(at(0s), 7);
  EXPECT_EQ(accrual_.shutUntil(host_), at(1s));
  EXPECT_FALSE(accrual_.isAvailable(host_, at(999ms)));
  // Straggling responses while shut are ignored, successes included.
  accrual_.onResponse(host_, true, at(500ms));
  EXPECT_EQ(accrual_.state(host_, at(500ms)), State::Shut);

  EXPECT_EQ(accrual_.state(host_, at(1s)), State::Probation);
  EXPECT_TRUE(accrual_.isAvailable(host_, at(1s)));
  accrual_.onRequestDispatched(host_, at(1s));
  EXPECT_FALSE(accrual_.isAvailable(host_, at(1s)));
  EXPECT_FALSE(accrual_.isAvailable(host_, at(30s)));  // waits for the probe's answer

  accrual_.onResponse(host_, true, at(1200ms));
  EXPECT_EQ(accrual_.state(host_, at(1200ms)), State::Available);
  EXPECT_TRUE(accrual_.isAvailable(host_, at(1200ms)));
  EXPECT_EQ(accrual_.consecutiveFailures(host_), 0u);
  fail(at(2s), 6);  // a fresh run of 7 is needed again
  EXPECT_TRUE(accrual_.isAvailable(host_, at(2s)));
}

TEST_F(FailureAccrualTest, FailedProbeBacksOffExponentiallyAndNewTripRestarts) {
  fail(at(0s), 7);  // shut [0, 1 s)
  accrual_.onRequestDispatched(host_, at(1s));
  fail(at(1s));  // probe fails: shut for base(1) = 2 s
  EXPECT_EQ(accrual_.state(host_, at(1s)), State::Shut);
  EXPECT_EQ(accrual_.shutUntil(host_), at(3s));
  EXPECT_FALSE(accrual_.isAvailable(host_, at(2999ms)));
  EXPECT_TRUE(accrual_.isAvailable(host_, at(3s)));
  accrual_.onRequestDispatched(host_, at(3s));
  fail(at(3500ms));  // base(2) = 4 s
  EXPECT_EQ(accrual_.shutUntil(host_), at(7500ms));
  accrual_.onRequestDispatched(host_, at(8s));
  accrual_.onResponse(host_, true, at(8s));
  EXPECT_EQ(accrual_.state(host_, at(8s)), State::Available);

  fail(at(9s), 7);  // a new trip starts from min-penalty again
  EXPECT_EQ(accrual_.shutUntil(host_), at(10s));
}

TEST_F(FailureAccrualTest, JitteredPenaltyDefaults) {
  testing::ScriptedRandom rng{kHalf, kHalf};
  FailureAccrual accrual(FailureAccrualConfig{}, rng, 1);
  for (int i = 0; i < 7; ++i) {
    accrual.onResponse(host_, false, at(0s));
  }
  EXPECT_EQ(accrual.shutUntil(host_), at(1250ms));
  accrual.onRequestDispatched(host_, at(1250ms));
  accrual.onResponse(host_, false, at(1250ms));
  EXPECT_EQ(accrual.shutUntil(host_), at(1250ms + 2500ms));
}

TEST_F(FailureAccrualTest, ResponseAfterPenaltyDecidesEvenWithoutDispatch) {
  fail(at(0s), 7);
  // Linkerd's breaker takes the next response once the penalty is over, whichever request it
  // answers.
  accrual_.onResponse(host_, true, at(1500ms));
  EXPECT_EQ(accrual_.state(host_, at(1500ms)), State::Available);
}

TEST_F(FailureAccrualTest, HostSetChanges) {
  fail(at(0s), 7);
  accrual_.resetHost(host_);
  EXPECT_TRUE(accrual_.isAvailable(host_, at(0s)));
  accrual_.setHostCount(3);
  Host third{2, "10.0.0.3"};
  EXPECT_TRUE(accrual_.isAvailable(third, at(0s)));
  EXPECT_TRUE(FailureAccrual::isFailureStatus(503));
  EXPECT_FALSE(FailureAccrual::isFailureStatus(429));
}

}  // namespace
}  // namespace meshsim::core
