// Implements proxy-semantics.md §5.4.
#pragma once

#include "core/lb/priority_load_balancer_base.h"

namespace meshsim::core {

// RANDOM (proxy-semantics §5.4): one draw r chooses the priority and then hosts[r % n]. Host
// weights are ignored (§10 item 9).
class RandomLoadBalancer final : public PriorityLoadBalancerBase {
 public:
  RandomLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                     const LoadBalancerConfig& config);

  Host* chooseHost(LoadBalancerContext* context, RandomGenerator& random) override;
  void refresh() override { refreshPriorityState(); }
};

}  // namespace meshsim::core
