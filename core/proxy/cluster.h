// Implements proxy-semantics.md §3.2, §3.4 and §4.5 (a cluster composed from its components).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/circuit_breaker/resource_manager.h"
#include "core/common/event_loop.h"
#include "core/common/random.h"
#include "core/lb/load_balancer.h"
#include "core/lb/load_balancer_context.h"
#include "core/lb/p2c_peak_ewma_balancer.h"
#include "core/outlier/failure_accrual.h"
#include "core/outlier/outlier_detector.h"
#include "core/policy/cluster_policy.h"
#include "core/pool/connection_pool.h"
#include "core/retry/tps_budget.h"
#include "core/stats/cluster_stats.h"
#include "core/upstream/host.h"
#include "core/upstream/transport.h"

namespace meshsim::core {

// One endpoint as service discovery hands it to the proxy.
struct Endpoint {
  std::string address;
  std::uint32_t weight = 1;
  Locality locality;
  std::vector<std::pair<std::string, std::string>> labels;
};

// An upstream cluster as one proxy sees it: its own Host objects (health, active requests and
// stats are per client proxy), circuit breakers shared by all workers, an outlier detector, and
// per worker a load balancer and one connection pool per host (proxy-semantics §3.2, §3.4).
//
// Ejection wiring (§3.2, §4.5): an ejected host leaves the balancers' healthy set and its pooled
// connections are drained; unejection only refreshes the balancers.
class Cluster final : public OutlierEventListener {
 public:
  Cluster(std::string name, const ClusterPolicy& policy, const std::vector<Endpoint>& endpoints,
          std::uint32_t workers, EventLoop& loop, RandomGenerator& random,
          UpstreamTransport& transport, const Locality& local_locality = {});
  ~Cluster() override;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::string& name() const { return name_; }
  const ClusterPolicy& policy() const { return policy_; }
  ClusterStats& stats() { return stats_; }
  const ClusterStats& stats() const { return stats_; }
  ResourceManager& resources() { return resources_; }
  OutlierDetector* outlierDetector() { return outlier_.get(); }
  const HostVector& hosts() const { return hosts_; }
  std::uint32_t workers() const { return workers_; }
  // Hosts by priority as the Envoy balancers see them: one priority, or with
  // policy().locality_failover one per distance from the client's locality (§5.7).
  const HostsPerPriority& priorities() const { return priorities_; }

  // nullptr: no host to send to (503 UH).
  Host* chooseHost(std::uint32_t worker, LoadBalancerContext* context);
  ConnectionPool& pool(std::uint32_t worker, Host& host);

  // Readiness from outside the proxy (a replica crashed and was taken out of endpoints, or came
  // back). A failed host is treated as unhealthy and its connections are drained.
  void setHostReady(Host& host, bool ready);

  // Request start/end on a host, for balancers that measure load themselves (Linkerd peak-EWMA).
  void onRequestStart(Host& host);
  void onRequestEnd(Host& host, Duration rtt);

  // Linkerd failure accrual (§4.7), when the policy enables it: the router reports every attempt
  // dispatched to a host and its classified result (success: a non-failure response; failure: a
  // failure response, a reset or a connect failure). No-ops without failure accrual.
  FailureAccrual* failureAccrual() { return accrual_ ? &*accrual_ : nullptr; }
  void onAttemptDispatched(Host& host);
  void onAttemptResult(Host& host, bool success);

  // The ServiceProfile retry budget of this destination (§1.10b), shared by all its requests and
  // workers; it starts when the cluster is created, as the profile's budget does in Linkerd.
  TpsBudget& linkerdRetryBudget() { return retry_budget_; }

  // OutlierEventListener
  void onHostEjected(Host& host, OutlierEjectionType type) override;
  void onHostUnejected(Host& host) override;

 private:
  void refreshBalancers();
  Host* chooseLinkerdHost(std::uint32_t worker);
  void drainPools(Host& host);
  // Membership only: health changes keep each host in its priority and the balancers' refresh()
  // recomputes per-priority health and load (§5.1).
  static HostsPerPriority buildPriorities(const ClusterPolicy& policy, const HostVector& hosts,
                                          const Locality& local_locality);

  const std::string name_;
  const ClusterPolicy policy_;
  const std::uint32_t workers_;
  EventLoop& loop_;
  RandomGenerator& random_;
  UpstreamTransport& transport_;
  ClusterStats stats_;
  ResourceManager resources_;
  std::vector<std::unique_ptr<Host>> host_storage_;
  HostVector hosts_;
  HostsPerPriority priorities_;
  std::unique_ptr<OutlierDetector> outlier_;
  std::vector<std::unique_ptr<LoadBalancer>> balancers_;              // per worker (Envoy kinds)
  std::vector<std::unique_ptr<P2cPeakEwmaBalancer>> ewma_balancers_;  // per worker (Linkerd)
  // pools_[worker][host index], created on first use.
  std::vector<std::vector<std::unique_ptr<ConnectionPool>>> pools_;
  // Linkerd: one breaker per endpoint for the whole proxy (Linkerd's balancer is not per worker).
  std::optional<FailureAccrual> accrual_;
  // Scratch for the available endpoints of one pick, reserved once (no allocation per pick).
  HostVector available_;
  TpsBudget retry_budget_;
};

}  // namespace meshsim::core
