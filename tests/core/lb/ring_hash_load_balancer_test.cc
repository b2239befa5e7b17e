#include "core/lb/ring_hash_load_balancer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/lb/xxhash64.h"
#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

LoadBalancerConfig ringHash() {
  LoadBalancerConfig config;
  config.policy = LoadBalancerConfig::Policy::RingHash;
  return config;
}

// proxy-semantics §5.5: weights 1:2 ⇒ min_w = 1/3, scale = ceil(1024/3)·3 = 1026; the light host
// gets 342 entries and the heavy one the remaining 684.
TEST(RingHashLoadBalancerTest, RingSizeFollowsWeights) {
  TestHosts hosts({1, 2});
  ClusterStats stats;
  RingHashLoadBalancer lb(hosts.priorities, stats, ringHash());
  EXPECT_EQ(lb.table(0).size(), 1026U);
  EXPECT_EQ(lb.table(0).entriesFor(hosts[0]), 342U);
  EXPECT_EQ(lb.table(0).entriesFor(hosts[1]), 684U);
}

TEST(RingHashLoadBalancerTest, MaximumRingSizeCaps) {
  TestHosts hosts({1, 1000});
  ClusterStats stats;
  LoadBalancerConfig config = ringHash();
  // Uncapped: min_w = 1/1001 ⇒ scale = ceil(1024/1001)·1001 = 2002.
  RingHashLoadBalancer uncapped(hosts.priorities, stats, config);
  EXPECT_EQ(uncapped.table(0).size(), 2002U);
  EXPECT_EQ(uncapped.table(0).entriesFor(hosts[0]), 2U);
  config.maximum_ring_size = 1500;
  RingHashLoadBalancer capped(hosts.priorities, stats, config);
  // The running target 1500·(1/1001) + 1500·(1000/1001) rounds just above 1500, so Envoy's loop
  // (and this one, with the same arithmetic) emits one entry more than the cap.
  EXPECT_EQ(capped.table(0).size(), 1501U);
  EXPECT_EQ(capped.table(0).entriesFor(hosts[0]), 2U);  // target 1500/1001 = 1.5
}

// Lookup = first entry with hash >= h, wrapping; retry attempt i = entry index + i. Checked against
// an independent ring built here with std::lower_bound.
TEST(RingHashLoadBalancerTest, LookupAndRetryShift) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  RingHashLoadBalancer lb(hosts.priorities, stats, ringHash());

  std::vector<std::pair<std::uint64_t, Host*>> ring;
  for (std::size_t h = 0; h < 3; ++h) {
    for (int i = 0; i < 342; ++i) {
      ring.emplace_back(xxHash64(hosts[h].address() + "_" + std::to_string(i)), &hosts[h]);
    }
  }
  std::sort(ring.begin(), ring.end());
  ASSERT_EQ(lb.table(0).size(), ring.size());

  ScriptedRandom draws;
  std::vector<std::uint64_t> probes{0, ring.front().first, ring.back().first,
                                    ring.back().first + 1};
  for (int i = 0; i < 500; ++i) {
    probes.push_back(draws.random());
  }
  for (std::uint64_t h : probes) {
    const auto it =
        std::lower_bound(ring.begin(), ring.end(), std::make_pair(h, nullptr),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::size_t index = it == ring.end() ? 0 : static_cast<std::size_t>(it - ring.begin());
    for (std::uint32_t attempt = 0; attempt < 4; ++attempt) {
      EXPECT_EQ(lb.table(0).chooseHost(h, attempt), ring[(index + attempt) % ring.size()].second)
          << "h " << h << " attempt " << attempt;
    }
  }
}

TEST(RingHashLoadBalancerTest, StableMappingAcrossInstances) {
  TestHosts hosts = TestHosts::equal(5);
  ClusterStats stats;
  RingHashLoadBalancer a(hosts.priorities, stats, ringHash());
  RingHashLoadBalancer b(hosts.priorities, stats, ringHash());
  ScriptedRandom random;
  LoadBalancerContext context;
  for (int i = 0; i < 200; ++i) {
    context.setHashKey(random.random());
    Host* first = a.chooseHost(&context, random);
    EXPECT_EQ(first, b.chooseHost(&context, random));
    EXPECT_EQ(first, a.chooseHost(&context, random));
  }
}

TEST(RingHashLoadBalancerTest, DistributionRoughlyByWeight) {
  TestHosts hosts({1, 2});
  ClusterStats stats;
  RingHashLoadBalancer lb(hosts.priorities, stats, ringHash());
  ScriptedRandom random;
  int heavy = 0;
  for (int i = 0; i < 20000; ++i) {
    heavy += lb.chooseHost(nullptr, random) == &hosts[1] ? 1 : 0;  // no hash: random h
  }
  EXPECT_NEAR(heavy / 20000.0, 2.0 / 3.0, 0.05);
  EXPECT_EQ(random.draws(), 20000U);
}

// With previous_hosts rejecting the first pick, the second pick is the next ring entry.
TEST(RingHashLoadBalancerTest, HostSelectionRetryUsesNextEntry) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  RingHashLoadBalancer lb(hosts.priorities, stats, ringHash());
  ScriptedRandom random;
  for (int i = 0; i < 50; ++i) {
    const std::uint64_t h = random.random();
    PreviousHostsPredicate previous;
    LoadBalancerContext context;
    context.addRetryHostPredicate(previous);
    context.setHashKey(h);
    context.setHostSelectionRetryCount(1);
    Host* first = lb.table(0).chooseHost(h, 0);
    previous.onHostAttempted(*first);
    EXPECT_EQ(lb.chooseHost(&context, random), lb.table(0).chooseHost(h, 1));
  }
}

}  // namespace
}  // namespace meshsim::core
