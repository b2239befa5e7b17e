#include "core/lb/least_request_load_balancer.h"

#include <cmath>
#include <limits>

namespace meshsim::core {

LeastRequestLoadBalancer::LeastRequestLoadBalancer(const HostsPerPriority& hosts,
                                                   ClusterStats& stats,
                                                   const LoadBalancerConfig& config,
                                                   RandomGenerator& random)
    : EdfLoadBalancerBase(hosts, stats, config, random),
      choice_count_(config.choice_count),
      active_request_bias_(config.active_request_bias),
      selection_method_(config.selection_method) {
  refresh();
}

double LeastRequestLoadBalancer::hostWeight(const Host& host) const {
  const auto weight = static_cast<double>(host.weight());
  // Bias 0 is plain weighted round robin; the +1 avoids dividing by zero when idle.
  if (active_request_bias_ == 0.0) {
    return weight;
  }
  const std::uint64_t active = host.activeRequests();
  const auto divisor = static_cast<double>(
      active == std::numeric_limits<std::uint64_t>::max() ? active : active + 1);
  if (active_request_bias_ == 1.0) {
    return weight / divisor;
  }
  return weight / std::pow(divisor, active_request_bias_);
}

Host* LeastRequestLoadBalancer::unweightedHostPick(const HostVector& hosts, std::uint32_t,
                                                   RandomGenerator& random) {
  return selection_method_ == LoadBalancerConfig::LeastRequestSelection::FullScan
             ? pickFullScan(hosts, random)
             : pickNChoices(hosts, random);
}

Host* LeastRequestLoadBalancer::pickNChoices(const HostVector& hosts,
                                             RandomGenerator& random) const {
  Host* candidate = nullptr;
  for (std::uint32_t i = 0; i < choice_count_; ++i) {
    Host* sampled = hosts[random.random() % hosts.size()];
    if (candidate == nullptr || sampled->activeRequests() < candidate->activeRequests()) {
      candidate = sampled;
    }
  }
  return candidate;
}

// Minimum rq_active; ties resolved by reservoir sampling, one draw per tie after the first.
Host* LeastRequestLoadBalancer::pickFullScan(const HostVector& hosts,
                                             RandomGenerator& random) const {
  Host* candidate = nullptr;
  std::uint64_t tied = 0;
  for (Host* sampled : hosts) {
    if (candidate == nullptr) {
      candidate = sampled;
      tied = 1;
      continue;
    }
    if (sampled->activeRequests() < candidate->activeRequests()) {
      candidate = sampled;
      tied = 1;
    } else if (sampled->activeRequests() == candidate->activeRequests()) {
      ++tied;
      if (random.random() % tied == 0) {
        candidate = sampled;
      }
    }
  }
  return candidate;
}

}  // namespace meshsim::core
