// Implements proxy-semantics.md §5.2-§5.3.
#pragma once

#include <cstdint>
#include <vector>

#include "core/lb/edf_scheduler.h"
#include "core/lb/priority_load_balancer_base.h"

namespace meshsim::core {

// Round robin and least request (Envoy's EdfLoadBalancerBase, proxy-semantics §5.2/§5.3): one EDF
// scheduler per host source when the source's hosts have unequal weights, otherwise an unweighted
// pick supplied by the subclass. Every pick draws one random() for priority selection first, even
// with a single priority.
//
// Not modelled: slow start (§5.7 warmup) and preconnect peeking.
class EdfLoadBalancerBase : public PriorityLoadBalancerBase {
 public:
  Host* chooseHost(LoadBalancerContext* context, RandomGenerator& random) final;
  void refresh() final;

  // The per-instance seed drawn at construction (Envoy's seed_); RR cursors start at it and EDF
  // schedules are built with createWithPicks(seed).
  std::uint64_t seed() const { return seed_; }

 protected:
  // Draws the seed from `random` (the first draw of this balancer, as in Envoy's constructor).
  // Subclasses must call refresh() at the end of their own constructor.
  EdfLoadBalancerBase(const HostsPerPriority& hosts, ClusterStats& stats,
                      const LoadBalancerConfig& config, RandomGenerator& random);

  virtual double hostWeight(const Host& host) const = 0;
  virtual Host* unweightedHostPick(const HostVector& hosts, std::uint32_t source_index,
                                   RandomGenerator& random) = 0;
  // Called for every host source on refresh, before its scheduler is rebuilt.
  virtual void refreshHostSource(std::uint32_t /*source_index*/) {}

 private:
  Host* chooseHostOnce(RandomGenerator& random);

  const std::uint64_t seed_;
  // Indexed by HostSource::index(); a default (empty) scheduler means "unweighted pick".
  std::vector<EdfScheduler> schedulers_;
};

}  // namespace meshsim::core
