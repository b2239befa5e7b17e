#include <gtest/gtest.h>

#include <set>

#include "core/lb/maglev_load_balancer.h"
#include "core/lb/round_robin_load_balancer.h"
#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

// proxy-semantics §5.1 with one priority, threshold 50: 1 of 4 healthy is 25 % < 50 ⇒ panic, every
// host of the priority (ejected ones included) is used and lb_healthy_panic counts each pick.
TEST(PriorityPanicTest, PanicBelowThresholdUsesAllHosts) {
  TestHosts hosts = TestHosts::equal(4);
  for (int i = 1; i < 4; ++i) {
    hosts[i].setOutlierEjected(true);
  }
  ClusterStats stats;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  EXPECT_EQ(lb.priorityHealth(0), 35U);  // 140·1/4
  EXPECT_TRUE(lb.inPanic(0));
  std::set<Host*> seen;
  for (int i = 0; i < 4; ++i) {
    seen.insert(lb.chooseHost(nullptr, random));
  }
  EXPECT_EQ(seen.size(), 4U);
  EXPECT_EQ(stats.lb_healthy_panic, 4U);
}

// Exactly 50 % healthy is not below the threshold: only healthy hosts, no panic stat.
TEST(PriorityPanicTest, HalfHealthyDoesNotPanic) {
  TestHosts hosts = TestHosts::equal(4);
  hosts[0].setOutlierEjected(true);
  hosts[2].setActiveHealthFailed(true);
  ClusterStats stats;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  EXPECT_EQ(lb.priorityHealth(0), 70U);
  EXPECT_FALSE(lb.inPanic(0));
  for (int i = 0; i < 10; ++i) {
    Host* host = lb.chooseHost(nullptr, random);
    EXPECT_TRUE(host == &hosts[1] || host == &hosts[3]);
  }
  EXPECT_EQ(stats.lb_healthy_panic, 0U);
}

// Ejection takes effect only once the balancer is refreshed; unejection ends panic likewise.
TEST(PriorityPanicTest, RefreshFollowsEjection) {
  TestHosts hosts = TestHosts::equal(2);
  ClusterStats stats;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  hosts[0].setOutlierEjected(true);
  hosts[1].setOutlierEjected(true);
  lb.refresh();
  EXPECT_TRUE(lb.inPanic(0));
  EXPECT_NE(lb.chooseHost(nullptr, random), nullptr);
  hosts[0].setOutlierEjected(false);
  hosts[1].setOutlierEjected(false);
  lb.refresh();
  EXPECT_FALSE(lb.inPanic(0));
  EXPECT_EQ(stats.lb_healthy_panic, 1U);
}

// Threshold 0 (Istio with an outlier block, §4.6): never panic; all ejected ⇒ nullptr (503 UH).
TEST(PriorityPanicTest, ThresholdZeroNeverPanics) {
  TestHosts hosts = TestHosts::equal(3);
  for (int i = 0; i < 3; ++i) {
    hosts[i].setOutlierEjected(true);
  }
  ClusterStats stats;
  LoadBalancerConfig config;
  config.healthy_panic_threshold = 0;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, config, random);
  EXPECT_FALSE(lb.inPanic(0));
  EXPECT_EQ(lb.priorityLoad(0), 100U);
  EXPECT_EQ(lb.chooseHost(nullptr, random), nullptr);
  EXPECT_EQ(stats.lb_healthy_panic, 0U);

  hosts[1].setOutlierEjected(false);  // 33 % healthy still no panic
  lb.refresh();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  }
}

// Two priorities: P0 health 70 (1 of 2), P1 health 100 ⇒ normalized total 100, loads 70/30, no
// panic anywhere. x = r % 100 + 1: r = 69 ⇒ x = 70 ⇒ P0; r = 70 ⇒ x = 71 ⇒ P1.
TEST(PriorityPanicTest, LoadSpillsToNextPriority) {
  TestHosts hosts = TestHosts::equal(4);
  hosts.priorities = {{&hosts[0], &hosts[1]}, {&hosts[2], &hosts[3]}};
  hosts[1].setOutlierEjected(true);
  ClusterStats stats;
  ScriptedRandom random{0, 69, 70, 170};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  EXPECT_EQ(lb.priorityLoad(0), 70U);
  EXPECT_EQ(lb.priorityLoad(1), 30U);
  EXPECT_FALSE(lb.inPanic(0));
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[0]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[3]);
}

// Every priority in panic: load by host count, health ignored (P0 25 % healthy, P1 none).
TEST(PriorityPanicTest, TotalPanicDistributesByHostCount) {
  TestHosts hosts = TestHosts::equal(8);
  hosts.priorities = {{&hosts[0], &hosts[1], &hosts[2], &hosts[3]},
                      {&hosts[4], &hosts[5], &hosts[6], &hosts[7]}};
  for (int i = 1; i < 8; ++i) {
    hosts[i].setOutlierEjected(true);
  }
  ClusterStats stats;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  EXPECT_TRUE(lb.inPanic(0));
  EXPECT_TRUE(lb.inPanic(1));
  EXPECT_EQ(lb.priorityLoad(0), 50U);
  EXPECT_EQ(lb.priorityLoad(1), 50U);
}

// Hash balancers count lb_healthy_panic once per request and build the table from all hosts.
TEST(PriorityPanicTest, HashBalancerPanicTableHoldsAllHosts) {
  TestHosts hosts = TestHosts::equal(4);
  for (int i = 0; i < 3; ++i) {
    hosts[i].setOutlierEjected(true);
  }
  ClusterStats stats;
  LoadBalancerConfig config;
  config.policy = LoadBalancerConfig::Policy::Maglev;
  MaglevLoadBalancer lb(hosts.priorities, stats, config);
  EXPECT_GT(lb.table(0).entriesFor(hosts[0]), 0U);
  ScriptedRandom random;
  lb.chooseHost(nullptr, random);
  EXPECT_EQ(stats.lb_healthy_panic, 1U);

  config.healthy_panic_threshold = 0;
  hosts[3].setOutlierEjected(true);
  MaglevLoadBalancer strict(hosts.priorities, stats, config);
  EXPECT_EQ(strict.chooseHost(nullptr, random), nullptr);
}

}  // namespace
}  // namespace meshsim::core
