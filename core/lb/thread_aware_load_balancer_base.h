// Implements proxy-semantics.md §5.5-§5.6 (shared hash-balancer base).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/lb/priority_load_balancer_base.h"

namespace meshsim::core {

// Hosts of one priority with weights normalised to sum 1 (Envoy's normalizeHostWeights), the input
// from which ring hash and maglev build their tables.
struct NormalizedHostWeights {
  std::vector<std::pair<Host*, double>> hosts;
  double min_weight = 1.0;
  double max_weight = 0.0;
};

// Hash-based balancers (Envoy's ThreadAwareLoadBalancerBase, proxy-semantics §5.5/§5.6): one table
// per priority, built on refresh() from the healthy hosts, or from all hosts if that priority is in
// panic. A pick computes h once (request hash, or a random draw when there is none), chooses the
// priority from h (no separate draw) and looks h up; on host-selection retries pick i passes i as
// the attempt, which each table turns into a deterministic perturbation (§1.6).
class ThreadAwareLoadBalancerBase : public PriorityLoadBalancerBase {
 public:
  Host* chooseHost(LoadBalancerContext* context, RandomGenerator& random) final;
  void refresh() final;

 protected:
  ThreadAwareLoadBalancerBase(const HostsPerPriority& hosts, ClusterStats& stats,
                              const LoadBalancerConfig& config);

  // Replaces the table of every priority; `per_priority` has one element per priority.
  virtual void buildTables(const std::vector<NormalizedHostWeights>& per_priority) = 0;
  virtual Host* chooseFromTable(std::uint32_t priority, std::uint64_t hash,
                                std::uint32_t attempt) const = 0;
};

}  // namespace meshsim::core
