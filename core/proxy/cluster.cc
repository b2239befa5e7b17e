#include "core/proxy/cluster.h"

#include "core/lb/load_balancer_factory.h"
#include "core/lb/locality_failover.h"

namespace meshsim::core {

Cluster::Cluster(std::string name, const ClusterPolicy& policy,
                 const std::vector<Endpoint>& endpoints, std::uint32_t workers, EventLoop& loop,
                 RandomGenerator& random, UpstreamTransport& transport,
                 const Locality& local_locality)
    : name_(std::move(name)),
      policy_(policy),
      workers_(workers == 0 ? 1 : workers),
      loop_(loop),
      random_(random),
      transport_(transport),
      resources_(policy.circuit_breakers, stats_, loop),
      retry_budget_(policy.linkerd_retry_budget, loop.now()) {
  for (const Endpoint& endpoint : endpoints) {
    host_storage_.push_back(std::make_unique<Host>(static_cast<std::uint32_t>(host_storage_.size()),
                                                   endpoint.address, endpoint.weight,
                                                   endpoint.locality, endpoint.labels));
    hosts_.push_back(host_storage_.back().get());
  }
  priorities_ = buildPriorities(policy_, hosts_, local_locality);
  if (policy_.outlier_detection) {
    outlier_ = std::make_unique<OutlierDetector>(loop_, random_, *policy_.outlier_detection, stats_,
                                                 std::span<Host* const>(hosts_));
    outlier_->addListener(*this);
  }
  if (policy_.failure_accrual && policy_.balancer == BalancerKind::kLinkerdPeakEwma) {
    accrual_.emplace(*policy_.failure_accrual, random_, hosts_.size());
    available_.reserve(hosts_.size());
  }
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (policy_.balancer == BalancerKind::kLinkerdPeakEwma) {
      ewma_balancers_.push_back(std::make_unique<P2cPeakEwmaBalancer>(hosts_, loop_.now()));
    } else {
      // Each worker's balancer seeds itself from the shared stream, so workers start at different
      // round-robin phases as Envoy's do (§5.2, §10 item 19).
      balancers_.push_back(createLoadBalancer(policy_.load_balancer, priorities_, stats_, random_));
    }
    pools_.emplace_back(hosts_.size());
  }
}

Cluster::~Cluster() {
  if (outlier_) {
    outlier_->removeListener(*this);
  }
  // Pools go first: they release circuit-breaker units and reference hosts.
  pools_.clear();
}

Host* Cluster::chooseHost(std::uint32_t worker, LoadBalancerContext* context) {
  if (policy_.balancer == BalancerKind::kLinkerdPeakEwma) {
    return chooseLinkerdHost(worker);
  }
  LoadBalancer* balancer = balancers_[worker].get();
  return balancer == nullptr ? nullptr : balancer->chooseHost(context, random_);
}

Host* Cluster::chooseLinkerdHost(std::uint32_t worker) {
  P2cPeakEwmaBalancer& balancer = *ewma_balancers_[worker];
  const MonotonicTime now = loop_.now();
  if (!accrual_) {
    return balancer.chooseHost(now, random_);
  }
  // Unavailable endpoints are not ready for Linkerd's P2C (§4.7): it picks among the others, and
  // with none left the request gets no endpoint at all.
  available_.clear();
  for (Host* host : balancer.readyHosts()) {
    if (accrual_->isAvailable(*host, now)) {
      available_.push_back(host);
    }
  }
  return balancer.chooseHostAmong(available_, now, random_);
}

void Cluster::onAttemptDispatched(Host& host) {
  if (accrual_) {
    accrual_->onRequestDispatched(host, loop_.now());
  }
}

void Cluster::onAttemptResult(Host& host, bool success) {
  if (accrual_) {
    accrual_->onResponse(host, success, loop_.now());
  }
}

ConnectionPool& Cluster::pool(std::uint32_t worker, Host& host) {
  std::unique_ptr<ConnectionPool>& slot = pools_[worker][host.index()];
  if (!slot) {
    slot = std::make_unique<ConnectionPool>(host, policy_.protocol, policy_.connection_pool,
                                            resources_, stats_, transport_, loop_);
  }
  return *slot;
}

void Cluster::setHostReady(Host& host, bool ready) {
  if (host.activeHealthFailed() == !ready) {
    return;
  }
  host.setActiveHealthFailed(!ready);
  if (!ready) {
    drainPools(host);
  }
  refreshBalancers();
}

void Cluster::onRequestStart(Host& host) {
  for (auto& balancer : ewma_balancers_) {
    balancer->onRequestStart(host);
  }
}

void Cluster::onRequestEnd(Host& host, Duration rtt) {
  for (auto& balancer : ewma_balancers_) {
    balancer->onRequestEnd(host, rtt, loop_.now());
  }
}

void Cluster::onHostEjected(Host& host, OutlierEjectionType) {
  drainPools(host);
  refreshBalancers();
}

void Cluster::onHostUnejected(Host&) {
  refreshBalancers();
}

void Cluster::refreshBalancers() {
  for (auto& balancer : balancers_) {
    if (balancer) {
      balancer->refresh();
    }
  }
  for (auto& balancer : ewma_balancers_) {
    balancer->refresh(loop_.now());
  }
}

HostsPerPriority Cluster::buildPriorities(const ClusterPolicy& policy, const HostVector& hosts,
                                          const Locality& local_locality) {
  if (policy.locality_failover) {
    return buildLocalityFailoverPriorities(hosts, local_locality);
  }
  return HostsPerPriority{hosts};
}

void Cluster::drainPools(Host& host) {
  for (auto& worker_pools : pools_) {
    if (auto& pool = worker_pools[host.index()]) {
      pool->drainConnections();
    }
  }
}

}  // namespace meshsim::core
