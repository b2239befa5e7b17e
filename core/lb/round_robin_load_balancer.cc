#include "core/lb/round_robin_load_balancer.h"

namespace meshsim::core {

RoundRobinLoadBalancer::RoundRobinLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                                               const LoadBalancerConfig& config,
                                               RandomGenerator& random)
    : EdfLoadBalancerBase(hosts, stats, config, random) {
  refresh();
}

void RoundRobinLoadBalancer::refreshHostSource(std::uint32_t source_index) {
  // New sources start at the seed; existing cursors keep their position (Envoy inserts without
  // overwriting).
  if (source_index >= cursors_.size()) {
    cursors_.resize(source_index + 1, seed());
  }
}

Host* RoundRobinLoadBalancer::unweightedHostPick(const HostVector& hosts,
                                                 std::uint32_t source_index, RandomGenerator&) {
  return hosts[cursors_[source_index]++ % hosts.size()];
}

}  // namespace meshsim::core
