#include "core/lb/maglev_load_balancer.h"

#include <gtest/gtest.h>

#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

LoadBalancerConfig maglev() {
  LoadBalancerConfig config;
  config.policy = LoadBalancerConfig::Policy::Maglev;
  return config;
}

// proxy-semantics §5.6: 65 537 entries; equal weights fill round-robin in key order, so the counts
// differ by at most one and the first hosts (by address) take the remainder: 65537 = 3·21845 + 2.
TEST(MaglevLoadBalancerTest, TableSizeAndEvenSpread) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  MaglevLoadBalancer lb(hosts.priorities, stats, maglev());
  EXPECT_EQ(lb.table(0).size(), 65537U);
  EXPECT_EQ(lb.table(0).entriesFor(hosts[0]), 21846U);
  EXPECT_EQ(lb.table(0).entriesFor(hosts[1]), 21846U);
  EXPECT_EQ(lb.table(0).entriesFor(hosts[2]), 21845U);
}

// The sort by key makes the table independent of host discovery order.
TEST(MaglevLoadBalancerTest, IndependentOfHostOrder) {
  TestHosts hosts = TestHosts::equal(4);
  HostsPerPriority reversed{{&hosts[3], &hosts[2], &hosts[1], &hosts[0]}};
  ClusterStats stats;
  MaglevLoadBalancer a(hosts.priorities, stats, maglev());
  MaglevLoadBalancer b(reversed, stats, maglev());
  ScriptedRandom random;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t h = random.random();
    EXPECT_EQ(a.table(0).chooseHost(h, 0), b.table(0).chooseHost(h, 0));
  }
}

// A host places an entry in round t once t·w >= its target (0, then += max_w): weight 2 places
// every round, weight 1 in rounds 1, 2, 4, 6, ...
TEST(MaglevLoadBalancerTest, WeightedFill) {
  TestHosts hosts({1, 2});
  ClusterStats stats;
  LoadBalancerConfig config = maglev();
  config.maglev_table_size = 7;
  MaglevLoadBalancer lb(hosts.priorities, stats, config);
  // Rounds: 1 → A, B; 2 → A, B; 3 → B; 4 → A, B (table full at 7).
  EXPECT_EQ(lb.table(0).entriesFor(hosts[0]), 3U);
  EXPECT_EQ(lb.table(0).entriesFor(hosts[1]), 4U);

  MaglevLoadBalancer big(hosts.priorities, stats, maglev());
  EXPECT_NEAR(static_cast<double>(big.table(0).entriesFor(hosts[1])), 65537.0 * 2 / 3, 2.0);
}

// Retry attempt i looks up h ^ (~0 - i + 1).
TEST(MaglevLoadBalancerTest, RetryXorsHash) {
  TestHosts hosts = TestHosts::equal(5);
  ClusterStats stats;
  MaglevLoadBalancer lb(hosts.priorities, stats, maglev());
  const MaglevTable& table = lb.table(0);
  const std::uint64_t h = 123456789;
  EXPECT_EQ(table.chooseHost(h, 1), table.chooseHost(h ^ ~0ULL, 0));
  EXPECT_EQ(table.chooseHost(h, 2), table.chooseHost(h ^ (~0ULL - 1), 0));
  EXPECT_EQ(table.chooseHost(h, 0), table.chooseHost(h % 65537, 0));

  // Through the §1.6 loop: a predicate rejecting every host sees picks 0..count and the last is
  // returned.
  struct RejectAll final : RetryHostPredicate {
    bool shouldSelectAnotherHost(const Host&) const override { return true; }
    void onHostAttempted(const Host&) override {}
  } reject;
  LoadBalancerContext context;
  context.addRetryHostPredicate(reject);
  context.setHashKey(h);
  context.setHostSelectionRetryCount(2);
  ScriptedRandom random;
  EXPECT_EQ(lb.chooseHost(&context, random), table.chooseHost(h, 2));
  EXPECT_EQ(random.draws(), 0U);
}

}  // namespace
}  // namespace meshsim::core
