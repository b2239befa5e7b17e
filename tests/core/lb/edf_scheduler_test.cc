#include "core/lb/edf_scheduler.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/core/lb/lb_test_hosts.h"

namespace meshsim::core {
namespace {

double configuredWeight(const Host& host) {
  return host.weight();
}

// proxy-semantics §5.2: deadlines k/w, so weights 1:2:3 first pick the weight-3 host (1/3), then
// the weight-2 host (1/2), then weight 3 again (2/3).
TEST(EdfSchedulerTest, EarliestDeadlineFirst) {
  TestHosts hosts({1, 2, 3});
  EdfScheduler scheduler = EdfScheduler::createWithPicks(hosts.priorities[0], configuredWeight, 0);
  EXPECT_EQ(scheduler.pickAndAdd(configuredWeight), &hosts[2]);
  EXPECT_EQ(scheduler.pickAndAdd(configuredWeight), &hosts[1]);
  EXPECT_EQ(scheduler.pickAndAdd(configuredWeight), &hosts[2]);
}

TEST(EdfSchedulerTest, EqualDeadlinesAreFifo) {
  EdfScheduler scheduler;
  Host a(0, "a"), b(1, "b"), c(2, "c");
  scheduler.add(1.0, &a);
  scheduler.add(1.0, &b);
  scheduler.add(1.0, &c);
  EXPECT_EQ(scheduler.pickAndAdd(configuredWeight), &a);
  EXPECT_EQ(scheduler.pickAndAdd(configuredWeight), &b);
  EXPECT_EQ(scheduler.pickAndAdd(configuredWeight), &c);
  EXPECT_EQ(scheduler.pickAndAdd(configuredWeight), &a);
}

// Any 600 consecutive picks of weights 1:2:3 are exactly 100/200/300, whatever the seeded phase.
TEST(EdfSchedulerTest, WeightsProportionExactly) {
  TestHosts hosts({1, 2, 3});
  for (std::uint32_t seed : {0U, 1U, 12345U, 4000000000U}) {
    EdfScheduler scheduler =
        EdfScheduler::createWithPicks(hosts.priorities[0], configuredWeight, seed);
    std::map<const Host*, int> counts;
    for (int i = 0; i < 600; ++i) {
      counts[scheduler.pickAndAdd(configuredWeight)]++;
    }
    EXPECT_EQ(counts[&hosts[0]], 100) << "seed " << seed;
    EXPECT_EQ(counts[&hosts[1]], 200) << "seed " << seed;
    EXPECT_EQ(counts[&hosts[2]], 300) << "seed " << seed;
  }
}

// createWithPicks(P) continues where P step-by-step picks would have left off. Weights 3:5:7 have
// 12 tie-free deadlines before t = 1, so the (P+1)-th pick is unambiguous for P < 12.
TEST(EdfSchedulerTest, CreateWithPicksEmulatesPriorPicks) {
  TestHosts hosts({3, 5, 7});
  for (std::uint32_t picks = 0; picks < 12; ++picks) {
    EdfScheduler stepwise = EdfScheduler::createWithPicks(hosts.priorities[0], configuredWeight, 0);
    for (std::uint32_t i = 0; i < picks; ++i) {
      stepwise.pickAndAdd(configuredWeight);
    }
    EdfScheduler emulated =
        EdfScheduler::createWithPicks(hosts.priorities[0], configuredWeight, picks);
    EXPECT_EQ(emulated.pickAndAdd(configuredWeight), stepwise.pickAndAdd(configuredWeight))
        << "picks " << picks;
  }
}

}  // namespace
}  // namespace meshsim::core
