#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_node.h"
#include "core/authz/authorization_policy.h"
#include "core/authz/peer_authentication.h"
#include "core/fault/http_fault.h"
#include "core/lb/load_balancer_config.h"
#include "core/outlier/istio_outlier_detection.h"
#include "core/pool/istio_connection_pool.h"
#include "core/retry/istio_retry.h"
#include "core/router/route_configuration.h"

// Syntax-level reading of Istio manifests: every field checked and converted to core values, but
// host names and subset references left as written. Resolving them against the mesh is
// importPolicies' job (mesh_policy.h).
namespace meshsim::istio {

// Where a value was written, kept so reference errors found after parsing still point at it.
struct SourceRef {
  config::Location location;
  std::string key;
};

SourceRef sourceOf(const config::Node& node);
[[noreturn]] void failAt(const SourceRef& where, const std::string& message);

struct ResourceMeta {
  std::string kind;
  std::string name;
  std::string ns;
  SourceRef origin;  // the document
};

struct ParsedDestination {
  std::string host;  // as written (short names resolve in the manifest's namespace)
  SourceRef host_at;
  std::string subset;  // empty = none
  SourceRef subset_at;
  std::uint32_t weight = 0;
};

struct ParsedMirror {
  ParsedDestination destination;
  std::optional<double> percentage;      // mirrorPercentage / mirrors[].percentage
  std::optional<std::uint32_t> percent;  // deprecated mirrorPercent
};

struct ParsedHttpRoute {
  std::string name;
  // One entry per match[] element that applies to sidecars (Istio emits one Envoy route each),
  // with the route name to use; empty = the whole http[] entry is a catch-all.
  std::vector<std::pair<std::string, core::RouteMatch>> matches;
  std::vector<ParsedDestination> route;
  SourceRef route_at;
  std::optional<core::Duration> timeout;
  std::optional<core::IstioHttpRetry> retries;
  SourceRef retries_at;
  std::optional<core::HttpFault> fault;
  std::vector<ParsedMirror> mirrors;
};

struct ParsedVirtualService {
  ResourceMeta meta;
  std::vector<std::pair<std::string, SourceRef>> hosts;
  std::vector<ParsedHttpRoute> http;
};

struct ParsedLoadBalancer {
  core::LoadBalancerConfig::Policy policy = core::LoadBalancerConfig::Policy::LeastRequest;
  bool consistent_hash = false;
  std::uint64_t minimum_ring_size = 0;  // 0 = Envoy's default
  std::uint64_t maglev_table_size = 0;  // 0 = Envoy's default
};

// DestinationRule TrafficPolicy; each optional is one block, the unit of subset replacement.
struct ParsedTrafficPolicy {
  std::optional<core::IstioConnectionPoolSettings> connection_pool;
  std::optional<core::IstioOutlierDetection> outlier_detection;
  std::optional<ParsedLoadBalancer> load_balancer;
  std::optional<core::ClientTlsMode> tls;  // block present: its mode (proto default DISABLE)
  std::optional<core::IstioRetryBudget> retry_budget;
};

// Istio's MergeTrafficPolicy (proxy-semantics §3.5): a subset's block replaces the top-level block
// of the same kind as a whole; blocks the subset leaves out are inherited.
ParsedTrafficPolicy mergeTrafficPolicy(const std::optional<ParsedTrafficPolicy>& top,
                                       const std::optional<ParsedTrafficPolicy>& subset);

struct ParsedSubset {
  std::string name;
  SourceRef name_at;
  core::Labels labels;
  std::optional<ParsedTrafficPolicy> traffic_policy;
};

struct ParsedDestinationRule {
  ResourceMeta meta;
  std::string host;
  SourceRef host_at;
  std::optional<ParsedTrafficPolicy> traffic_policy;
  std::vector<ParsedSubset> subsets;
};

struct Manifests {
  std::vector<ParsedVirtualService> virtual_services;
  std::vector<ParsedDestinationRule> destination_rules;
  std::vector<core::PeerAuthentication> peer_authentications;
  std::vector<core::AuthorizationPolicy> authorization_policies;
};

// Reads every document (null documents are skipped). `root_namespace` only serves the warning
// about selector policies there, which Istio ignores.
Manifests parseManifests(const std::vector<config::Node>& documents,
                         const std::string& root_namespace, config::Warnings& warnings);

}  // namespace meshsim::istio
