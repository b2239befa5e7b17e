// Implements proxy-semantics.md §5.2.
#pragma once

#include <cstdint>
#include <vector>

#include "core/lb/edf_load_balancer_base.h"

namespace meshsim::core {

// ROUND_ROBIN (proxy-semantics §5.2): equal weights ⇒ hosts[cursor++ % n] with one cursor per host
// source, starting at the seed and never reset when membership changes; unequal weights ⇒ EDF.
class RoundRobinLoadBalancer final : public EdfLoadBalancerBase {
 public:
  RoundRobinLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                         const LoadBalancerConfig& config, RandomGenerator& random);

 private:
  double hostWeight(const Host& host) const override { return host.weight(); }
  Host* unweightedHostPick(const HostVector& hosts, std::uint32_t source_index,
                           RandomGenerator& random) override;
  void refreshHostSource(std::uint32_t source_index) override;

  std::vector<std::uint64_t> cursors_;
};

}  // namespace meshsim::core
