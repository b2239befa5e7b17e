// Implements proxy-semantics.md §5 (one balancer per worker, §3.4).
#pragma once

#include <memory>

#include "core/common/random.h"
#include "core/lb/load_balancer.h"
#include "core/lb/load_balancer_config.h"
#include "core/stats/cluster_stats.h"

namespace meshsim::core {

// One Envoy balancer per worker for `config.policy`. Returns nullptr if config.validate() reports a
// problem. Round robin and least request draw their seed from `random` here (one draw), as Envoy
// does when a worker creates its balancer; `hosts` and `stats` must outlive the balancer.
std::unique_ptr<LoadBalancer> createLoadBalancer(const LoadBalancerConfig& config,
                                                 const HostsPerPriority& hosts, ClusterStats& stats,
                                                 RandomGenerator& random);

}  // namespace meshsim::core
