#include "core/lb/random_load_balancer.h"

namespace meshsim::core {

RandomLoadBalancer::RandomLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                                       const LoadBalancerConfig& config)
    : PriorityLoadBalancerBase(hosts, stats, config) {
  refreshPriorityState();
}

Host* RandomLoadBalancer::chooseHost(LoadBalancerContext* context, RandomGenerator& random) {
  return selectHostWithRetries(context, [&](std::uint32_t) -> Host* {
    const std::uint64_t r = random.random();
    const HostVector& hosts = hostSourceToHosts(hostSourceToUse(r));
    return hosts.empty() ? nullptr : hosts[r % hosts.size()];
  });
}

}  // namespace meshsim::core
