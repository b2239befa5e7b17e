#include "core/lb/random_load_balancer.h"

#include <gtest/gtest.h>

#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

// proxy-semantics §5.4: one draw r, hosts[r % n]; weights ignored (§10 item 9).
TEST(RandomLoadBalancerTest, OneDrawIgnoresWeights) {
  TestHosts hosts({1, 100});
  ClusterStats stats;
  RandomLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{});
  ScriptedRandom random{1, 2, 7};
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[0]);
  EXPECT_EQ(lb.chooseHost(nullptr, random), &hosts[1]);
  EXPECT_EQ(random.draws(), 3U);

  int heavy = 0;
  for (int i = 0; i < 10000; ++i) {
    heavy += lb.chooseHost(nullptr, random) == &hosts[1] ? 1 : 0;
  }
  EXPECT_NEAR(heavy, 5000, 300);  // weighted would be ~9900
}

}  // namespace
}  // namespace meshsim::core
