// `meshsim lint`: checks from service-mesh practice (proxy-semantics §1.9, §3.5, §4.4-§4.6, §7,
// §10) over a scenario or over bare Istio manifests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/yaml_node.h"
#include "istio/mesh_catalog.h"
#include "sim/lint/lint_finding.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// A service as lint sees it. Scenario input knows everything; bare manifests only names,
// namespaces and subsets (replicas 0 = unknown, sidecar assumed).
struct LintService {
  std::string name;
  std::string ns = "default";
  bool sidecar = true;
  bool entry = false;  // the workload calls it from outside the mesh
  // Some service with a sidecar calls it, so its DestinationRule acts somewhere (always assumed
  // for bare manifests).
  bool meshed_caller = true;
  // Endpoints per catalog version, in catalog order; empty = unknown.
  std::vector<std::pair<std::string, std::uint32_t>> version_replicas;
  config::Location at;  // the scenario's service entry, or the first manifest naming it
};

// An application-level call edge (the call plan's `call:` entries).
struct LintAppCall {
  std::string caller;
  std::string callee;
  std::uint32_t retries = 0;  // app-level: attempts = retries + 1
  config::Location at;
};

struct LintInput {
  // True for bare manifests: replica counts, app-level calls and sidecar presence are unknown,
  // so the checks that need them are skipped.
  bool bare_manifests = false;
  bool istio_profile = true;  // the manifests only apply under the Istio profile
  config::Location mesh_at;   // where mesh-wide findings point (the scenario, or the first file)
  istio::MeshCatalog catalog;
  std::vector<LintService> services;  // catalog order
  std::vector<LintAppCall> app_calls;
  std::vector<config::Node> documents;  // every Istio manifest document
  // The scenario's `mtls.mode` as a root-namespace PeerAuthentication (as the mesh applies it).
  std::optional<core::MtlsMode> mesh_wide_mtls;
};

// `scenario_documents` are the scenario file's YAML documents (config::loadDocuments), read again
// for the positions the resolved Scenario does not keep.
LintInput lintInputFromScenario(const Scenario& scenario, const ScenarioPolicies& policies,
                                const std::vector<config::Node>& scenario_documents);

// Bare manifests: the catalog is built from the hosts they mention (VirtualService hosts and route
// destinations, DestinationRule hosts, a version per DestinationRule subset with its labels plus
// app=<service>). Throws config::ConfigError on a bad manifest.
LintInput lintInputFromManifests(const std::vector<config::Node>& documents);

// Every check except the simulated sidecar sizing. Throws config::ConfigError if the manifests
// do not import against the catalog.
std::vector<LintFinding> lintMesh(const LintInput& input, config::Warnings& warnings);

// Sidecar CPU/memory requests per service from a finished run: CPU = the busiest pod's sidecar
// cores over the run × 1.5 headroom, memory = the memory model's peak (base + peak connections ×
// per-connection) of the largest pod. Info findings.
std::vector<LintFinding> recommendSidecarResources(const Mesh& mesh, const LintInput& input);

// The sidecar CPU recommendation's headroom over the observed load.
inline constexpr double kSidecarCpuHeadroom = 1.5;
// Fewer meshed services than this: an info finding that a mesh may not pay for itself.
inline constexpr std::size_t kFewServices = 3;

}  // namespace meshsim::sim
