#include "core/lb/thread_aware_load_balancer_base.h"

#include <algorithm>

namespace meshsim::core {

ThreadAwareLoadBalancerBase::ThreadAwareLoadBalancerBase(const HostsPerPriority& hosts,
                                                         ClusterStats& stats,
                                                         const LoadBalancerConfig& config)
    : PriorityLoadBalancerBase(hosts, stats, config) {}

void ThreadAwareLoadBalancerBase::refresh() {
  refreshPriorityState();
  std::vector<NormalizedHostWeights> per_priority(priorityCount());
  for (std::uint32_t p = 0; p < per_priority.size(); ++p) {
    const HostVector& hosts = hostSourceToHosts(HostSource{p, inPanic(p)});
    std::uint64_t sum = 0;
    for (const Host* host : hosts) {
      sum += host->weight();
    }
    NormalizedHostWeights& normalized = per_priority[p];
    normalized.hosts.reserve(hosts.size());
    for (Host* host : hosts) {
      const double weight = static_cast<double>(host->weight()) / static_cast<double>(sum);
      normalized.hosts.emplace_back(host, weight);
      normalized.min_weight = std::min(normalized.min_weight, weight);
      normalized.max_weight = std::max(normalized.max_weight, weight);
    }
  }
  buildTables(per_priority);
}

Host* ThreadAwareLoadBalancerBase::chooseHost(LoadBalancerContext* context,
                                              RandomGenerator& random) {
  const std::optional<std::uint64_t> key =
      context != nullptr ? context->hashKey() : std::optional<std::uint64_t>();
  const std::uint64_t h = key.has_value() ? *key : random.random();
  const std::uint32_t priority = choosePriority(h);
  // Counted once per request, not per pick (unlike the EDF balancers).
  if (inPanic(priority)) {
    stats_.lb_healthy_panic++;
  }
  return selectHostWithRetries(
      context, [&](std::uint32_t attempt) { return chooseFromTable(priority, h, attempt); });
}

}  // namespace meshsim::core
