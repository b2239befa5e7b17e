// Implements proxy-semantics.md §5.3.
#pragma once

#include <cstdint>

#include "core/lb/edf_load_balancer_base.h"

namespace meshsim::core {

// LEAST_REQUEST (proxy-semantics §5.3), reading Host::activeRequests() (requests attached to a
// connection, §10 item 9). Equal weights ⇒ N choices with replacement (ties keep the earlier draw)
// or FULL_SCAN; unequal weights ⇒ EDF with weight w/(rq_active+1)^bias, re-evaluated only when a
// host is re-inserted after a pick.
class LeastRequestLoadBalancer final : public EdfLoadBalancerBase {
 public:
  LeastRequestLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                           const LoadBalancerConfig& config, RandomGenerator& random);

 private:
  double hostWeight(const Host& host) const override;
  Host* unweightedHostPick(const HostVector& hosts, std::uint32_t source_index,
                           RandomGenerator& random) override;
  Host* pickNChoices(const HostVector& hosts, RandomGenerator& random) const;
  Host* pickFullScan(const HostVector& hosts, RandomGenerator& random) const;

  const std::uint32_t choice_count_;
  const double active_request_bias_;
  const LoadBalancerConfig::LeastRequestSelection selection_method_;
};

}  // namespace meshsim::core
