// Implements proxy-semantics.md §1.6 and §5 (balancer interface, host-selection loop).
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/random.h"
#include "core/lb/load_balancer_context.h"
#include "core/upstream/host.h"

namespace meshsim::core {

// Hosts of one cluster grouped by priority: element p holds priority p's hosts (Envoy's
// PrioritySet). Without locality failover only priority 0 exists. The cluster owns it; a balancer
// keeps a reference and re-reads it on refresh().
using HostsPerPriority = std::vector<HostVector>;

// An Envoy load balancer, one instance per worker (its RR/EDF state is per worker, §10 item 19).
class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;

  // Picks a host for one attempt; nullptr means no healthy upstream (the caller replies 503 with
  // flag UH). `context` may be null (no hash, no predicates, a single pick).
  virtual Host* chooseHost(LoadBalancerContext* context, RandomGenerator& random) = 0;

  // Re-reads membership and health: call after hosts are added or removed, and whenever
  // Host::outlierEjected() or activeHealthFailed() flips (Envoy rebuilds its host sets then).
  virtual void refresh() = 0;
};

// The host-selection loop shared by every Envoy balancer (proxy-semantics §1.6,
// ZoneAwareLoadBalancerBase::chooseHost): count+1 picks; the first pick no predicate rejects wins,
// and the last pick is used even if it was rejected. `pick_once(i)` receives the pick index, which
// hash balancers turn into a deterministic shift instead of a fresh draw.
template <class PickOnce>
Host* selectHostWithRetries(const LoadBalancerContext* context, PickOnce&& pick_once) {
  const std::uint32_t max_picks = context != nullptr ? context->hostSelectionRetryCount() + 1 : 1;
  Host* host = nullptr;
  for (std::uint32_t i = 0; i < max_picks; ++i) {
    host = pick_once(i);
    if (host == nullptr || context == nullptr || !context->shouldSelectAnotherHost(*host)) {
      return host;
    }
  }
  return host;
}

}  // namespace meshsim::core
