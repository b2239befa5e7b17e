#pragma once

#include <ostream>

#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// The scenario's topology as a Graphviz DOT digraph (`meshsim graph`): one node per service,
// labelled with its versions and their replicas × concurrency; services without a sidecar dashed
// and grey; the load generator as an entry node (an inverted house) with the workload; one edge
// per call of the call plans labelled with its path, probability, app timeout, app retries and
// the mesh retries on 5xx of the route that applies (for each mix entry's headers, the most).
// Output is deterministic (scenario order).
void writeTopologyDot(std::ostream& out, const Scenario& scenario,
                      const ScenarioPolicies& policies);

}  // namespace meshsim::sim
