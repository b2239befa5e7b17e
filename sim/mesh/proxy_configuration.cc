#include "sim/mesh/proxy_configuration.h"

#include <algorithm>

#include "core/policy/cluster_policy.h"
#include "core/policy/proxy_profile.h"

namespace meshsim::sim {

namespace {

core::HttpProtocol wireProtocol(Protocol protocol) {
  return protocol == Protocol::Http1 ? core::HttpProtocol::kHttp11 : core::HttpProtocol::kHttp2;
}

// What a client without a sidecar gets in its place: kube-proxy picks a backend per connection at
// random and does nothing else (no retries, no limits, no ejection).
core::ClusterPolicy passThroughPolicy(core::HttpProtocol protocol) {
  core::ClusterPolicy policy = core::ClusterPolicy::defaultsFor(core::ProxyProfile::kIstio);
  policy.protocol = protocol;
  policy.load_balancer.policy = core::LoadBalancerConfig::Policy::Random;
  policy.load_balancer.healthy_panic_threshold = 0;
  return policy;
}

core::RouteEntry routeTo(const std::string& cluster, core::Duration timeout,
                         std::optional<core::RetryPolicy> retry) {
  core::RouteEntry route;
  route.name = "default";
  route.clusters.push_back(core::WeightedCluster{cluster, 100, core::kUnresolvedCluster});
  route.timeout = timeout;
  route.retry_policy = std::move(retry);
  return route;
}

}  // namespace

core::ClientTransport clientTransportTo(const Scenario& scenario, const ScenarioPolicies& policies,
                                        bool client_has_sidecar, Index server_service) {
  if (!client_has_sidecar) {
    return core::ClientTransport::kPlaintext;
  }
  std::optional<core::ClientTlsMode> destination_rule_mode;
  bool server_has_sidecar = false;
  if (server_service < scenario.services.size()) {
    const ServiceSpec& server = scenario.services[server_service];
    server_has_sidecar = server.has_sidecar;
    if (const istio::ClusterDefinition* cluster = policies.base.cluster(server.name)) {
      destination_rule_mode = cluster->policy.tls_mode;
    }
  }
  return core::clientTransport(core::clientTlsMode(
      destination_rule_mode, scenario.mtls.mode != MtlsMode::Disable, server_has_sidecar));
}

std::string podName(const ServiceSpec& service, const VersionSpec& version, Index replica) {
  return service.name + "-" + version.name + "-" + std::to_string(replica);
}

ProxyConfigurationBuilder::ProxyConfigurationBuilder(const Scenario& scenario,
                                                     const ScenarioPolicies& policies)
    : scenario_(scenario), policies_(policies), endpoints_(scenario.services.size()) {
  for (Index s = 0; s < scenario.services.size(); ++s) {
    endpoints_[s].resize(scenario.services[s].versions.size());
  }
  // PeerAuthentication: the manifests, plus the scenario's mesh-wide mtls.mode as a
  // root-namespace policy (strict or disable), which any more specific policy overrides (§7.1
  // precedence).
  peer_authentications_ = policies.base.peer_authentications;
  if (scenario.mtls.mode != MtlsMode::Auto) {
    core::PeerAuthentication mesh_wide;
    mesh_wide.name = "meshsim-mtls-mode";
    mesh_wide.ns = policies.base.root_namespace;
    mesh_wide.mode =
        scenario.mtls.mode == MtlsMode::Strict ? core::MtlsMode::kStrict : core::MtlsMode::kDisable;
    peer_authentications_.insert(peer_authentications_.begin(), mesh_wide);
  }
}

void ProxyConfigurationBuilder::addEndpoint(Index service, Index version, Index zone,
                                            std::string address) {
  const ServiceSpec& spec = scenario_.services[service];
  core::Endpoint endpoint;
  endpoint.address = std::move(address);
  endpoint.weight = spec.versions[version].weight;
  endpoint.locality.zone = scenario_.zones[zone];
  endpoint.labels = {{"app", spec.name}, {"version", spec.versions[version].name}};
  endpoints_[service][version].push_back(std::move(endpoint));
}

std::vector<core::Endpoint> ProxyConfigurationBuilder::serviceEndpoints(
    Index service, const std::vector<std::string>* versions) const {
  std::vector<core::Endpoint> out;
  for (Index v = 0; v < scenario_.services[service].versions.size(); ++v) {
    const std::string& name = scenario_.services[service].versions[v].name;
    if (versions == nullptr ||
        std::find(versions->begin(), versions->end(), name) != versions->end()) {
      out.insert(out.end(), endpoints_[service][v].begin(), endpoints_[service][v].end());
    }
  }
  return out;
}

SidecarConfiguration ProxyConfigurationBuilder::build(const PodPlacement& pod) const {
  const core::ProxyProfile profile = coreProxyProfile(scenario_.profile);
  const core::RouteDefaults defaults = core::routeDefaultsFor(profile);
  // Istio manifests configure Istio sidecars; the other profiles run their own defaults.
  const bool istio = profile == core::ProxyProfile::kIstio;
  const bool meshed = pod.has_sidecar;

  SidecarConfiguration result;
  core::ProxyConfig& outbound = result.outbound;
  outbound.profile = profile;
  outbound.workers = meshed ? pod.workers : 1;
  outbound.locality.zone = scenario_.zones[pod.zone];
  if (meshed && istio) {
    outbound.routes = policies_.base.outbound_routes;
    for (const istio::ClusterDefinition& definition : policies_.base.clusters) {
      const Index s = *scenario_.findService(definition.service);
      core::ClusterPolicy policy = definition.policy;
      policy.protocol = wireProtocol(scenario_.services[s].protocol);
      outbound.clusters.push_back(core::ClusterDefinition{
          definition.name, policy,
          serviceEndpoints(s, definition.subset.empty() ? nullptr : &definition.versions)});
    }
  } else {
    std::vector<core::VirtualHost> hosts;
    for (Index s = 0; s < scenario_.services.size(); ++s) {
      const ServiceSpec& service = scenario_.services[s];
      core::VirtualHost vhost;
      vhost.name = service.name;
      vhost.domains = {service.name, service.name + "." + service.namespace_name,
                       service.name + "." + service.namespace_name + ".svc.cluster.local"};
      vhost.routes.push_back(
          meshed ? routeTo(service.name, defaults.route_timeout, defaults.outbound_retry)
                 : routeTo(service.name, core::Duration::zero(), std::nullopt));
      hosts.push_back(std::move(vhost));
      core::ClusterPolicy policy = meshed ? core::ClusterPolicy::defaultsFor(profile)
                                          : passThroughPolicy(wireProtocol(service.protocol));
      policy.protocol = wireProtocol(service.protocol);
      outbound.clusters.push_back(
          core::ClusterDefinition{service.name, policy, serviceEndpoints(s, nullptr)});
    }
    outbound.routes = core::RouteConfiguration(std::move(hosts));
  }

  if (!pod.service) {
    return result;
  }
  const ServiceSpec& service = scenario_.services[*pod.service];
  const VersionSpec& version = service.versions[pod.version];
  core::ProxyConfig& inbound = result.inbound.emplace();
  inbound.profile = profile;
  inbound.workers = outbound.workers;
  inbound.inbound_port = 9080;
  core::VirtualHost vhost;
  vhost.name = "inbound";
  vhost.domains = {"*"};
  vhost.routes.push_back(meshed ? routeTo("inbound", core::Duration::zero(), defaults.inbound_retry)
                                : routeTo("inbound", core::Duration::zero(), std::nullopt));
  inbound.routes = core::RouteConfiguration({vhost});
  core::Endpoint local;
  local.address = pod.app_address;
  core::ClusterPolicy policy = meshed ? core::ClusterPolicy::defaultsFor(profile)
                                      : passThroughPolicy(core::HttpProtocol::kHttp11);
  policy.protocol = core::HttpProtocol::kHttp11;
  policy.outlier_detection.reset();
  inbound.clusters.push_back(core::ClusterDefinition{"inbound", policy, {local}});
  if (meshed) {
    const istio::WorkloadPolicy* workload_policy =
        policies_.base.workload(service.name, version.name);
    if (workload_policy != nullptr && !workload_policy->authorization.empty()) {
      inbound.authorization = workload_policy->authorization;
    }
    const core::Labels labels = {{"app", service.name}, {"version", version.name}};
    result.inbound_mtls =
        core::resolvePeerAuthentication(peer_authentications_, policies_.base.root_namespace,
                                        service.namespace_name, labels)
            .modeFor(9080);
  }
  return result;
}

}  // namespace meshsim::sim
