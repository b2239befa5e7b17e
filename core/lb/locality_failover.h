// Implements proxy-semantics.md §5.7 (Istio locality failover priorities).
#pragma once

#include <cstdint>

#include "core/lb/load_balancer.h"
#include "core/upstream/host.h"

namespace meshsim::core {

// Istio's util.LbPriority: how far an endpoint is from the client proxy. 0 = same
// region/zone/subzone, 1 = same region and zone, 2 = same region, 3 = another region
// (proxy-semantics §5.7). An empty field matches only an empty field, as in Istio.
std::uint32_t localityFailoverPriority(const Locality& client, const Locality& endpoint);

// Istio's applyLocalityFailover without `failover` region rules: every host gets its
// localityFailoverPriority() and the priorities that occur are compacted to 0..N-1, so no priority
// is empty (Envoy requires contiguous priorities). Hosts keep their relative order inside a
// priority. An empty `hosts` yields a single empty priority 0, as Envoy always has P0.
HostsPerPriority buildLocalityFailoverPriorities(const HostVector& hosts, const Locality& client);

}  // namespace meshsim::core
