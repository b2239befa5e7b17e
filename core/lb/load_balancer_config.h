// Implements proxy-semantics.md §5.1-§5.6 (balancer configuration and defaults).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meshsim::core {

// Envoy's cluster lb_policy plus the knobs of each policy, with Envoy's defaults
// (proxy-semantics §5). Istio's defaults differ (LEAST_REQUEST; panic threshold 0 once a
// DestinationRule has an outlier block, §4.6) and are applied by whoever translates Istio config.
struct LoadBalancerConfig {
  enum class Policy { RoundRobin, LeastRequest, Random, RingHash, Maglev };
  enum class LeastRequestSelection { NChoices, FullScan };

  Policy policy = Policy::RoundRobin;

  // §5.1: common_lb_config.healthy_panic_threshold, in percent; 0 disables panic.
  std::uint32_t healthy_panic_threshold = 50;
  // §5.1: Envoy's default overprovisioning factor (1.4, expressed as 140).
  std::uint32_t overprovisioning_factor = 140;

  // §5.3 least request.
  std::uint32_t choice_count = 2;
  double active_request_bias = 1.0;
  LeastRequestSelection selection_method = LeastRequestSelection::NChoices;

  // §5.5 ring hash.
  std::uint64_t minimum_ring_size = 1024;
  std::uint64_t maximum_ring_size = 8388608;

  // §5.6 maglev (must be prime).
  std::uint64_t maglev_table_size = 65537;

  // Problems with this configuration, one message each; empty means valid.
  std::vector<std::string> validate() const;
};

}  // namespace meshsim::core
