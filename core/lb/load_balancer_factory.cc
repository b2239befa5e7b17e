#include "core/lb/load_balancer_factory.h"

#include "core/lb/least_request_load_balancer.h"
#include "core/lb/maglev_load_balancer.h"
#include "core/lb/random_load_balancer.h"
#include "core/lb/ring_hash_load_balancer.h"
#include "core/lb/round_robin_load_balancer.h"

namespace meshsim::core {

std::unique_ptr<LoadBalancer> createLoadBalancer(const LoadBalancerConfig& config,
                                                 const HostsPerPriority& hosts, ClusterStats& stats,
                                                 RandomGenerator& random) {
  if (!config.validate().empty()) {
    return nullptr;
  }
  switch (config.policy) {
    case LoadBalancerConfig::Policy::RoundRobin:
      return std::make_unique<RoundRobinLoadBalancer>(hosts, stats, config, random);
    case LoadBalancerConfig::Policy::LeastRequest:
      return std::make_unique<LeastRequestLoadBalancer>(hosts, stats, config, random);
    case LoadBalancerConfig::Policy::Random:
      return std::make_unique<RandomLoadBalancer>(hosts, stats, config);
    case LoadBalancerConfig::Policy::RingHash:
      return std::make_unique<RingHashLoadBalancer>(hosts, stats, config);
    case LoadBalancerConfig::Policy::Maglev:
      return std::make_unique<MaglevLoadBalancer>(hosts, stats, config);
  }
  return nullptr;
}

}  // namespace meshsim::core
