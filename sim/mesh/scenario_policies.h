#pragma once

#include <optional>
#include <vector>

#include "config/yaml_node.h"
#include "istio/mesh_catalog.h"
#include "istio/mesh_policy.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// The scenario's Istio manifests, imported once before the run (so bad manifests stop the run
// before anything is simulated): the policy in force at the start, and for each fault that swaps
// VirtualServices (canary steps, injected faults) the routes that apply while it lasts.
struct ScenarioPolicies {
  istio::MeshCatalog catalog;
  istio::MeshPolicy base;
  // Indexed like Scenario::faults; set for traffic_split and istio_fault entries.
  std::vector<std::optional<core::RouteConfiguration>> fault_routes;
};

// Throws config::ConfigError on a bad manifest (file:line:column, key), including a fault manifest
// that carries anything but VirtualServices or routes to a cluster the base policy lacks.
ScenarioPolicies importScenarioPolicies(const Scenario& scenario, config::Warnings& warnings);

}  // namespace meshsim::sim
