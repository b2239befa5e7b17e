// Implements proxy-semantics.md §5.1.
#pragma once

#include <cstdint>
#include <vector>

#include "core/lb/load_balancer.h"
#include "core/lb/load_balancer_config.h"
#include "core/stats/cluster_stats.h"

namespace meshsim::core {

// Priority selection and panic shared by every Envoy balancer (proxy-semantics §5.1; Envoy's
// LoadBalancerBase and the host-source part of ZoneAwareLoadBalancerBase). All state is derived on
// refresh(); a pick only reads it.
//
// Not modelled: degraded hosts (Host has no degraded state, so degraded load is always 0),
// excluded hosts, weighted_priority_health, zone-aware routing (needs the local cluster), retry
// priority plugins, and locality-weighted selection (§5.7).
class PriorityLoadBalancerBase : public LoadBalancer {
 public:
  // Introspection for tests and diagnostics.
  std::size_t priorityCount() const { return health_.size(); }
  std::uint32_t priorityHealth(std::uint32_t priority) const { return health_[priority]; }
  std::uint32_t priorityLoad(std::uint32_t priority) const { return load_[priority]; }
  bool inPanic(std::uint32_t priority) const { return panic_[priority] != 0; }
  const HostVector& healthyHosts(std::uint32_t priority) const { return healthy_[priority]; }

 protected:
  // Where a pick draws its hosts from: a priority's healthy hosts, or all of them in panic.
  struct HostSource {
    std::uint32_t priority = 0;
    bool all_hosts = false;
    std::uint32_t index() const { return priority * 2 + (all_hosts ? 1 : 0); }
  };

  PriorityLoadBalancerBase(const HostsPerPriority& hosts, ClusterStats& stats,
                           const LoadBalancerConfig& config);

  // Recomputes healthy host lists, per-priority health, load and panic flags.
  void refreshPriorityState();

  // §5.1 choosePriority: x = hash % 100 + 1, first priority whose cumulative load reaches x.
  std::uint32_t choosePriority(std::uint64_t hash) const;
  // Priority from `hash`, then the panic switch (counting lb_healthy_panic once per call, as
  // Envoy's hostSourceToUse does).
  HostSource hostSourceToUse(std::uint64_t hash);
  const HostVector& hostSourceToHosts(HostSource source) const;
  std::size_t hostSourceCount() const { return health_.size() * 2; }

  const HostsPerPriority& hosts_;
  ClusterStats& stats_;

 private:
  void recalculateLoadInTotalPanic();

  const std::uint32_t panic_threshold_;
  const std::uint32_t overprovisioning_factor_;
  std::vector<HostVector> healthy_;
  std::vector<std::uint32_t> health_;
  std::vector<std::uint32_t> load_;
  std::vector<char> panic_;
  const HostVector empty_;
};

}  // namespace meshsim::core
