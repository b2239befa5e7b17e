#include "sim/live/mesh_topology.h"

#include <algorithm>
#include <utility>

#include "core/policy/cluster_policy.h"
#include "sim/mesh/mesh.h"

namespace meshsim::sim {
namespace {

bool limitsConnections(const core::CircuitBreakerThresholds& t) {
  const core::CircuitBreakerThresholds unlimited = core::CircuitBreakerThresholds::istioDefaults();
  return t.max_connections < unlimited.max_connections ||
         t.max_pending_requests < unlimited.max_pending_requests ||
         t.max_requests < unlimited.max_requests;
}

void addPolicyBadges(TopologyNode& node, const ScenarioPolicies& policies) {
  if (const istio::ClusterDefinition* cluster = policies.base.cluster(node.name)) {
    node.circuit_breaker = limitsConnections(cluster->policy.circuit_breakers);
    node.outlier_detection = cluster->policy.outlier_detection.has_value();
  }
  if (const core::VirtualHost* host = policies.base.virtualHost(node.name)) {
    for (const core::RouteEntry& route : host->routes) {
      node.fault_injection = node.fault_injection || route.fault.has_value();
    }
  }
}

const Workload* firstWorkload(const Mesh& mesh, Index service) {
  for (const auto& workload : mesh.workloads()) {
    if (workload->service == service) {
      return workload.get();
    }
  }
  return nullptr;
}

}  // namespace

std::size_t MeshTopology::findEdge(Index from, Index to) const {
  const auto it = std::lower_bound(edges.begin(), edges.end(), std::pair(from, to),
                                   [](const TopologyEdge& e, const std::pair<Index, Index>& key) {
                                     return std::pair(e.from, e.to) < key;
                                   });
  return it != edges.end() && it->from == from && it->to == to
             ? static_cast<std::size_t>(it - edges.begin())
             : edges.size();
}

MeshTopology buildTopology(const Scenario& scenario, const ScenarioPolicies& policies,
                           const Mesh& mesh) {
  MeshTopology topology;
  std::vector<std::pair<Index, Index>> pairs;
  for (Index s = 0; s < scenario.services.size(); ++s) {
    const ServiceSpec& service = scenario.services[s];
    TopologyNode node;
    node.name = service.name;
    node.sidecar = service.has_sidecar;
    for (const VersionSpec& version : service.versions) {
      node.versions.push_back(version.name);
      node.replicas.push_back(version.replicas);
      for (const OperationSpec& operation : version.operations) {
        for (const CallStep& step : operation.calls) {
          for (const CallSpec& call : step.calls) {
            pairs.emplace_back(s, call.service);
          }
        }
      }
    }
    addPolicyBadges(node, policies);
    topology.nodes.push_back(std::move(node));
  }
  TopologyNode client;
  client.name = "client";
  client.client = true;
  client.sidecar = false;
  topology.nodes.push_back(std::move(client));
  const auto client_index = static_cast<Index>(scenario.services.size());
  for (const MixEntry& entry : scenario.workload.mix) {
    pairs.emplace_back(client_index, entry.service);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  const Workload* load_generator = mesh.workloads().back().get();
  for (const auto& [from, to] : pairs) {
    TopologyEdge edge{from, to, false};
    const Workload* caller = from == client_index ? load_generator : firstWorkload(mesh, from);
    const Workload* callee = firstWorkload(mesh, to);
    if (caller != nullptr && callee != nullptr) {
      const ConnectionSecurity security = mesh.security(*caller, *callee);
      edge.mtls = security.tls && security.accepted && security.identity;
    }
    topology.edges.push_back(edge);
  }
  return topology;
}

}  // namespace meshsim::sim
