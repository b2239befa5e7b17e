#include "core/lb/edf_load_balancer_base.h"

namespace meshsim::core {
namespace {

bool hostWeightsAreEqual(const HostVector& hosts) {
  for (std::size_t i = 1; i < hosts.size(); ++i) {
    if (hosts[i]->weight() != hosts[0]->weight()) {
      return false;
    }
  }
  return true;
}

}  // namespace

EdfLoadBalancerBase::EdfLoadBalancerBase(const HostsPerPriority& hosts, ClusterStats& stats,
                                         const LoadBalancerConfig& config, RandomGenerator& random)
    : PriorityLoadBalancerBase(hosts, stats, config), seed_(random.random()) {}

void EdfLoadBalancerBase::refresh() {
  refreshPriorityState();
  schedulers_.resize(hostSourceCount());
  for (std::uint32_t index = 0; index < schedulers_.size(); ++index) {
    const HostSource source{index / 2, index % 2 == 1};
    const HostVector& hosts = hostSourceToHosts(source);
    schedulers_[index] = EdfScheduler();
    refreshHostSource(index);
    // Equal configured weights (or <= 1 host) use the cheaper unweighted pick, as Envoy does; the
    // EDF path is taken only when configured weights differ.
    if (hosts.size() <= 1 || hostWeightsAreEqual(hosts)) {
      continue;
    }
    // Envoy passes its uint64 seed as a uint32 pick count: truncation is part of the behaviour.
    schedulers_[index] = EdfScheduler::createWithPicks(
        hosts, [this](const Host& host) { return hostWeight(host); },
        static_cast<std::uint32_t>(seed_));
  }
}

Host* EdfLoadBalancerBase::chooseHost(LoadBalancerContext* context, RandomGenerator& random) {
  return selectHostWithRetries(context, [&](std::uint32_t) { return chooseHostOnce(random); });
}

Host* EdfLoadBalancerBase::chooseHostOnce(RandomGenerator& random) {
  const HostSource source = hostSourceToUse(random.random());
  EdfScheduler& scheduler = schedulers_[source.index()];
  if (!scheduler.empty()) {
    return scheduler.pickAndAdd([this](const Host& host) { return hostWeight(host); });
  }
  const HostVector& hosts = hostSourceToHosts(source);
  if (hosts.empty()) {
    return nullptr;
  }
  return unweightedHostPick(hosts, source.index(), random);
}

}  // namespace meshsim::core
