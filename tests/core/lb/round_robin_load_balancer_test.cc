#include "core/lb/round_robin_load_balancer.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

// proxy-semantics §5.2: the cursor starts at the seed (the balancer's first draw) and advances by
// one per pick; every pick also consumes one draw for priority selection.
TEST(RoundRobinLoadBalancerTest, UnweightedOrderStartsAtSeed) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  ScriptedRandom random{5};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  EXPECT_EQ(lb.seed(), 5U);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[0]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
  EXPECT_EQ(random.draws(), 5U);
}

// Two workers seeded differently run two interleaved RR sequences (§10 item 19).
TEST(RoundRobinLoadBalancerTest, PerSeedStart) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  ScriptedRandom random_a{7};
  ScriptedRandom random_b{9};
  RoundRobinLoadBalancer a(hosts.priorities, stats, LoadBalancerConfig{}, random_a);
  RoundRobinLoadBalancer b(hosts.priorities, stats, LoadBalancerConfig{}, random_b);
  EXPECT_EQ(a.chooseHost(nullptr, random_a), &hosts[1]);
  EXPECT_EQ(b.chooseHost(nullptr, random_b), &hosts[0]);
}

// The cursor is not reset when the host list changes.
TEST(RoundRobinLoadBalancerTest, CursorSurvivesRefresh) {
  TestHosts hosts = TestHosts::equal(4);
  ClusterStats stats;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[0]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  hosts[3].setOutlierEjected(true);  // 75 % healthy: health 100, no panic
  lb.refresh();
  // Cursor is 2 over the 3 healthy hosts.
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[0]);
}

TEST(RoundRobinLoadBalancerTest, WeightedUsesEdf) {
  TestHosts hosts({1, 2, 3});
  ClusterStats stats;
  ScriptedRandom random{0};  // seed 0: no emulated prior picks
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
  std::map<const Host*, int> counts;
  for (int i = 0; i < 600; ++i) {
    counts[lb.chooseHost(nullptr, random)]++;
  }
  EXPECT_EQ(counts[&hosts[0]], 100);
  EXPECT_EQ(counts[&hosts[1]], 200);
  EXPECT_EQ(counts[&hosts[2]], 300);
  EXPECT_EQ(random.draws(), 1U + 603U);
}

TEST(RoundRobinLoadBalancerTest, EmptyClusterHasNoHost) {
  HostsPerPriority none;
  ClusterStats stats;
  ScriptedRandom random;
  RoundRobinLoadBalancer lb(none, stats, LoadBalancerConfig{}, random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), nullptr);
}

}  // namespace
}  // namespace meshsim::core
