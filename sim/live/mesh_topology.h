#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

class Mesh;

// The call graph as the topology view draws it: one node per service plus the load generator, one
// edge per (caller, callee) pair that some call plan or the workload mix contains, and the policy
// badges Kiali would show. Built from the loaded scenario and its imported Istio policy; what
// changes over time is in Snapshot.
struct TopologyNode {
  std::string name;
  bool client = false;  // the load generator
  bool sidecar = true;
  std::vector<std::string> versions;
  std::vector<std::uint32_t> replicas;  // per version
  // Badges (from the DestinationRule / VirtualService in force at the start of the run).
  bool circuit_breaker = false;    // connectionPool limits below Istio's unlimited defaults
  bool outlier_detection = false;  // an outlierDetection block
  bool fault_injection = false;    // a route of its VirtualService injects faults
};

struct TopologyEdge {
  Index from = 0;  // node index; the load generator is the last node
  Index to = 0;
  bool mtls = false;  // the caller's sidecar originates mutual TLS to the callee
};

struct MeshTopology {
  std::vector<TopologyNode> nodes;  // services in scenario order, then the load generator
  std::vector<TopologyEdge> edges;  // sorted by (from, to)

  Index clientNode() const { return static_cast<Index>(nodes.size() - 1); }
  // Index of the (from, to) edge, or edges.size().
  std::size_t findEdge(Index from, Index to) const;
};

// `mesh` resolves mTLS per edge exactly as its connections will.
MeshTopology buildTopology(const Scenario& scenario, const ScenarioPolicies& policies,
                           const Mesh& mesh);

}  // namespace meshsim::sim
