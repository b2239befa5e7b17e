#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_node.h"
#include "core/authz/authorization_policy.h"
#include "core/authz/peer_authentication.h"
#include "core/policy/cluster_policy.h"
#include "core/retry/istio_retry.h"
#include "core/router/route_configuration.h"
#include "istio/mesh_catalog.h"

namespace meshsim::istio {

// One outbound Envoy cluster a client sidecar has: the whole service, or one DestinationRule subset
// (Istio's outbound|port|subset|host; every subset is its own cluster with its own limits,
// outlier detector and balancer state, proxy-semantics §3.5).
struct ClusterDefinition {
  std::string name;     // core::subsetClusterName(service, subset): "reviews" or "reviews|v2"
  std::string service;  // CatalogService::name
  std::string subset;   // empty for the service-wide cluster
  // Endpoint label selector: the subset's labels; empty = every endpoint of the service.
  core::Labels endpoint_selector;
  // The catalog versions whose labels the selector matches, in catalog order (may be empty: the
  // cluster then has no endpoints and requests fail with 503 UH).
  std::vector<std::string> versions;
  // ClusterPolicy::defaultsFor(kIstio) with the DestinationRule's (merged) traffic policy applied,
  // including the panic threshold an outlierDetection block implies (§4.6).
  core::ClusterPolicy policy;
  // "namespace/name" of the DestinationRule that shaped it; empty when none applies.
  std::string destination_rule;
};

// The inbound policy of one workload (a catalog version with a sidecar).
struct WorkloadPolicy {
  std::string service;
  std::string version;
  std::string ns;
  core::Labels labels;
  core::EffectivePeerAuthentication mtls;  // resolvePeerAuthentication over every policy
  std::vector<core::AuthorizationPolicy> authorization;  // selectAuthorizationPolicies
};

// Everything the manifests say, as plain core values: the simulator (or a real sidecar) builds its
// core objects from it.
struct MeshPolicy {
  // The outbound RouteConfiguration a client sidecar sees: one virtual host per catalog service
  // (domains name, name.ns, name.ns.svc and the FQDN), clusters not yet resolved to indices.
  core::RouteConfiguration outbound_routes;
  // Per catalog service: the service-wide cluster, then one per subset of its DestinationRule.
  std::vector<ClusterDefinition> clusters;
  // Inputs of core::resolvePeerAuthentication / selectAuthorizationPolicies, in document order
  // (which stands for creation order: the oldest policy wins ties).
  std::vector<core::PeerAuthentication> peer_authentications;
  std::vector<core::AuthorizationPolicy> authorization_policies;
  std::string root_namespace;
  // Their resolution for every catalog version with a sidecar, in catalog order.
  std::vector<WorkloadPolicy> workloads;

  const ClusterDefinition* cluster(std::string_view name) const;
  const WorkloadPolicy* workload(std::string_view service, std::string_view version) const;
  const core::VirtualHost* virtualHost(std::string_view service) const;  // by catalog name
};

// MeshConfig settings that change what the manifests translate to.
struct ImportOptions {
  // MeshConfig.defaultHttpRetryPolicy: used in place of a VirtualService route's absent `retries`.
  std::optional<core::IstioHttpRetry> default_http_retry_policy;
  // MeshConfig.connectTimeout.
  core::Duration connect_timeout = std::chrono::seconds(10);
  // EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY (pilot environment, default true).
  bool exclude_503_from_default_retries = true;
};

// Reads VirtualService, DestinationRule (networking.istio.io v1, v1beta1, v1alpha3),
// PeerAuthentication and AuthorizationPolicy (security.istio.io v1, v1beta1) documents. Empty
// documents are skipped. Throws config::ConfigError (file:line:column, key path, "did you mean")
// for unknown kinds, unknown fields, bad values, references to hosts or subsets the catalog and the
// DestinationRules do not define, and weights that Istio's validation rejects. Istio fields meshsim
// does not model are accepted with a config::Warning naming them.
MeshPolicy importPolicies(const std::vector<config::Node>& documents, const MeshCatalog& catalog,
                          config::Warnings& warnings, const ImportOptions& options = {});

}  // namespace meshsim::istio
