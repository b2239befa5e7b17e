#include "core/lb/least_request_load_balancer.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

void setActive(Host& host, int n) {
  for (int i = 0; i < n; ++i) {
    host.incActiveRequests();
  }
}

LoadBalancerConfig leastRequest() {
  LoadBalancerConfig config;
  config.policy = LoadBalancerConfig::Policy::LeastRequest;
  return config;
}

// proxy-semantics §5.3: draws per pick are priority, sample 1, sample 2.
TEST(LeastRequestLoadBalancerTest, FewerActiveRequestsWins) {
  TestHosts hosts = TestHosts::equal(4);
  setActive(hosts[2], 3);
  setActive(hosts[1], 1);
  ClusterStats stats;
  ScriptedRandom random{0 /*seed*/, 0 /*priority*/, 2, 1};
  LeastRequestLoadBalancer lb(hosts.priorities, stats, leastRequest(), random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  EXPECT_EQ(random.draws(), 4U);
}

TEST(LeastRequestLoadBalancerTest, TieKeepsFirstDraw) {
  TestHosts hosts = TestHosts::equal(4);
  setActive(hosts[1], 2);
  setActive(hosts[3], 2);
  ClusterStats stats;
  ScriptedRandom random{0, 0, 3, 1, 0, 1, 3};
  LeastRequestLoadBalancer lb(hosts.priorities, stats, leastRequest(), random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[3]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
}

// Sampling is with replacement: the same host drawn twice is chosen even though host 0 is idle.
TEST(LeastRequestLoadBalancerTest, SamplesWithReplacement) {
  TestHosts hosts = TestHosts::equal(4);
  setActive(hosts[2], 5);
  ClusterStats stats;
  ScriptedRandom random{0, 0, 2, 6};  // 6 % 4 == 2 again
  LeastRequestLoadBalancer lb(hosts.priorities, stats, leastRequest(), random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
}

TEST(LeastRequestLoadBalancerTest, ChoiceCountDrawsThatManySamples) {
  TestHosts hosts = TestHosts::equal(4);
  setActive(hosts[0], 2);
  setActive(hosts[1], 1);
  setActive(hosts[2], 3);
  ClusterStats stats;
  LoadBalancerConfig config = leastRequest();
  config.choice_count = 3;
  ScriptedRandom random{0, 0, 0, 2, 1};
  LeastRequestLoadBalancer lb(hosts.priorities, stats, config, random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  EXPECT_EQ(random.draws(), 5U);
}

// FULL_SCAN: minimum rq_active, ties by reservoir sampling (random() % ties == 0 replaces).
TEST(LeastRequestLoadBalancerTest, FullScanReservoirSamplesTies) {
  TestHosts hosts = TestHosts::equal(4);
  setActive(hosts[0], 2);
  setActive(hosts[1], 1);
  setActive(hosts[2], 1);
  setActive(hosts[3], 3);
  ClusterStats stats;
  LoadBalancerConfig config = leastRequest();
  config.selection_method = LoadBalancerConfig::LeastRequestSelection::FullScan;
  ScriptedRandom random{0, 0, 0 /*2nd tie replaces*/, 0, 1 /*keeps*/};
  LeastRequestLoadBalancer lb(hosts.priorities, stats, config, random);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[2]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  EXPECT_EQ(random.draws(), 5U);
}

// Unequal weights ⇒ EDF with w/(rq_active+1): weight 2 with 3 active requests is 0.5 against 1,
// so the weight-1 host gets two picks for every one.
TEST(LeastRequestLoadBalancerTest, WeightedUsesActiveRequestBias) {
  TestHosts hosts({1, 2});
  setActive(hosts[1], 3);
  ClusterStats stats;
  ScriptedRandom random{0};
  LeastRequestLoadBalancer lb(hosts.priorities, stats, leastRequest(), random);
  std::map<const Host*, int> counts;
  for (int i = 0; i < 30; ++i) {
    counts[lb.chooseHost(nullptr, random)]++;
  }
  EXPECT_EQ(counts[&hosts[0]], 20);
  EXPECT_EQ(counts[&hosts[1]], 10);
}

TEST(LeastRequestLoadBalancerTest, BiasZeroIsWeightedRoundRobin) {
  TestHosts hosts({1, 2});
  setActive(hosts[1], 3);
  ClusterStats stats;
  LoadBalancerConfig config = leastRequest();
  config.active_request_bias = 0.0;
  ScriptedRandom random{0};
  LeastRequestLoadBalancer lb(hosts.priorities, stats, config, random);
  std::map<const Host*, int> counts;
  for (int i = 0; i < 30; ++i) {
    counts[lb.chooseHost(nullptr, random)]++;
  }
  EXPECT_EQ(counts[&hosts[0]], 10);
  EXPECT_EQ(counts[&hosts[1]], 20);
}

}  // namespace
}  // namespace meshsim::core
