#include <gtest/gtest.h>

#include <memory>

#include "core/lb/load_balancer_factory.h"
#include "core/lb/round_robin_load_balancer.h"
#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

struct CountingRejectAll final : RetryHostPredicate {
  bool shouldSelectAnotherHost(const Host&) const override {
    ++calls;
    return true;
  }
  void onHostAttempted(const Host&) override {}
  mutable int calls = 0;
};

// proxy-semantics §1.6: Envoy's default host_selection_retry_max_attempts = 1 ⇒ at most 2 picks on
// a retry, and the last pick is used although previous_hosts rejected it.
TEST(HostSelectionTest, PreviousHostsWithOneExtraAttempt) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  ScriptedRandom random{0};  // cursor starts at host 0
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  PreviousHostsPredicate previous;
  LoadBalancerContext context;
  context.addRetryHostPredicate(previous);
  context.onHostAttempted(hosts[0]);
  context.onHostAttempted(hosts[1]);
  context.setForAttempt(/*is_retry=*/true, 1);
  EXPECT_EQ(lb.chooseHost(&context, random), &hosts[1]);  // picks host 0, host 1: both rejected
  EXPECT_EQ(random.draws(), 1U + 2U);
}

// Istio sets 5 ⇒ 6 picks; here the third pick is acceptable and ends the loop.
TEST(HostSelectionTest, IstioFiveAttemptsFindsFreshHost) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  PreviousHostsPredicate previous;
  LoadBalancerContext context;
  context.addRetryHostPredicate(previous);
  context.onHostAttempted(hosts[0]);
  context.onHostAttempted(hosts[1]);
  context.setForAttempt(true, 5);
  EXPECT_EQ(lb.chooseHost(&context, random), &hosts[2]);
  EXPECT_EQ(random.draws(), 1U + 3U);
}

TEST(HostSelectionTest, PickCountIsRetryCountPlusOne) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  ScriptedRandom random{0};
  RoundRobinLoadBalancer lb(hosts.priorities, stats, LoadBalancerConfig{}, random);
  CountingRejectAll reject;
  LoadBalancerContext context;
  context.addRetryHostPredicate(reject);
  context.setForAttempt(true, 5);
  EXPECT_EQ(lb.chooseHost(&context, random), &hosts[5 % 3]);  // sixth pick, host 2
  EXPECT_EQ(reject.calls, 6);
  context.setForAttempt(false, 5);  // first attempt: count 1 ⇒ 2 picks
  reject.calls = 0;
  lb.chooseHost(&context, random);
  EXPECT_EQ(reject.calls, 2);
  // No context ⇒ a single pick.
  const std::size_t before = random.draws();
  lb.chooseHost(nullptr, random);
  EXPECT_EQ(random.draws(), before + 1);
}

TEST(HostSelectionTest, PreviousHostsSpillsBeyondInlineBuffer) {
  TestHosts hosts = TestHosts::equal(12);
  PreviousHostsPredicate previous;
  for (int i = 0; i < 10; ++i) {
    previous.onHostAttempted(hosts[i]);
  }
  EXPECT_EQ(previous.attemptedCount(), 10U);
  EXPECT_TRUE(previous.shouldSelectAnotherHost(hosts[3]));
  EXPECT_TRUE(previous.shouldSelectAnotherHost(hosts[9]));
  EXPECT_FALSE(previous.shouldSelectAnotherHost(hosts[10]));
  previous.reset();
  EXPECT_FALSE(previous.shouldSelectAnotherHost(hosts[3]));
}

TEST(LoadBalancerConfigTest, DefaultsAndValidation) {
  LoadBalancerConfig config;
  EXPECT_EQ(config.policy, LoadBalancerConfig::Policy::RoundRobin);
  EXPECT_EQ(config.healthy_panic_threshold, 50U);
  EXPECT_EQ(config.choice_count, 2U);
  EXPECT_EQ(config.active_request_bias, 1.0);
  EXPECT_EQ(config.minimum_ring_size, 1024U);
  EXPECT_EQ(config.maximum_ring_size, 8388608U);
  EXPECT_EQ(config.maglev_table_size, 65537U);
  EXPECT_TRUE(config.validate().empty());

  LoadBalancerConfig bad;
  bad.choice_count = 1;
  bad.maglev_table_size = 65536;
  bad.healthy_panic_threshold = 101;
  EXPECT_EQ(bad.validate().size(), 3U);
}

TEST(LoadBalancerConfigTest, FactoryBuildsEachPolicy) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  ScriptedRandom random;
  for (auto policy : {LoadBalancerConfig::Policy::RoundRobin,
                      LoadBalancerConfig::Policy::LeastRequest, LoadBalancerConfig::Policy::Random,
                      LoadBalancerConfig::Policy::RingHash, LoadBalancerConfig::Policy::Maglev}) {
    LoadBalancerConfig config;
    config.policy = policy;
    std::unique_ptr<LoadBalancer> lb = createLoadBalancer(config, hosts.priorities, stats, random);
    ASSERT_NE(lb, nullptr);
    EXPECT_NE(lb->chooseHost(nullptr, random), nullptr);
  }
  LoadBalancerConfig bad;
  bad.choice_count = 0;
  EXPECT_EQ(createLoadBalancer(bad, hosts.priorities, stats, random), nullptr);
}

}  // namespace
}  // namespace meshsim::core
