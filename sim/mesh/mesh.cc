#include "sim/mesh/mesh.h"

#include <algorithm>
#include <chrono>

#include "core/policy/cluster_policy.h"
#include "core/policy/proxy_profile.h"
#include "sim/mesh/app_call.h"
#include "sim/mesh/fault_timeline.h"
#include "sim/mesh/load_generator.h"
#include "sim/mesh/mesh_connection.h"
#include "sim/mesh/replica.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

namespace {

core::ProxyProfile coreProfile(ProxyProfile profile) {
  switch (profile) {
    case ProxyProfile::Istio:
      return core::ProxyProfile::kIstio;
    case ProxyProfile::Envoy:
      return core::ProxyProfile::kEnvoy;
    case ProxyProfile::Linkerd:
      return core::ProxyProfile::kLinkerd;
  }
  return core::ProxyProfile::kIstio;
}

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

core::Endpoint endpointOf(const Workload& workload, const VersionSpec& version,
                          const Scenario& scenario) {
  core::Endpoint endpoint;
  endpoint.address = workload.address;
  endpoint.weight = version.weight;
  endpoint.locality.zone = scenario.zones[workload.zone];
  endpoint.labels = {{"app", scenario.services[workload.service].name}, {"version", version.name}};
  return endpoint;
}

}  // namespace

Mesh::Mesh(const Scenario& scenario, const ScenarioPolicies& policies, std::uint64_t replication,
           RecordingOptions recording)
    : scenario_(scenario),
      policies_(policies),
      replication_(replication),
      recording_(recording),
      network_(scenario.network, stream("network", "links")),
      tls_costs_(scenario.mtls.costs),
      traces_(stream("traces", "sampling"), stream("traces", "span-ids"), recording.trace_sampling,
              recording.max_traces) {
  metrics_.resize(scenario.services.size());
  measure_from_ = SimTime(scenario.warmup);
  end_ = SimTime(scenario.warmup + scenario.duration);
  metrics_.configure(scenario, recording_.series_interval, measure_from_);
  buildWorkloads();
  configureProxies();
}

Mesh::~Mesh() {
  // Tear down without letting anything call into what is already gone: first the self-owned
  // calls and the apps' jobs, then every proxy (outbound before inbound, so client pools close
  // their connections while the server sidecars still exist), then apps, sidecars, and whatever
  // connection objects are left. Pending events are never fired.
  tearing_down_ = true;
  live_calls_.deleteAll();
  for (auto& workload : workloads_) {
    if (workload->app) {
      workload->app->dropJobs();
    }
  }
  for (auto& workload : workloads_) {
    workload->sidecar->shutdownOutbound();
  }
  for (auto& workload : workloads_) {
    workload->sidecar->shutdownInbound();
  }
  live_connections_.deleteAll();
  for (auto& workload : workloads_) {
    workload->app.reset();
  }
  for (auto& workload : workloads_) {
    workload->sidecar.reset();
  }
}

RandomStream Mesh::stream(std::string_view entity, std::string_view purpose) const {
  return RandomStream(scenario_.seed, replication_, entity, purpose);
}

Workload* Mesh::workloadByAddress(const std::string& address) {
  const auto it = by_address_.find(address);
  return it == by_address_.end() ? nullptr : it->second;
}

void Mesh::buildWorkloads() {
  for (Index s = 0; s < scenario_.services.size(); ++s) {
    const ServiceSpec& service = scenario_.services[s];
    for (Index v = 0; v < service.versions.size(); ++v) {
      const VersionSpec& version = service.versions[v];
      for (Index r = 0; r < version.replicas; ++r) {
        auto workload = std::make_unique<Workload>();
        workload->id = static_cast<Index>(workloads_.size());
        workload->service = s;
        workload->version = v;
        workload->replica = r;
        workload->zone = version.replica_zone.empty() ? 0 : version.replica_zone[r];
        workload->name = service.name + "-" + version.name + "-" + std::to_string(r);
        workload->address = "10.0." + std::to_string(workload->id / 250) + "." +
                            std::to_string(workload->id % 250 + 1) + ":9080";
        workload->principal = "spiffe://cluster.local/ns/" + service.namespace_name + "/sa/" +
                              service.service_account;
        workload->has_sidecar = service.has_sidecar;
        workload->sidecar = std::make_unique<Sidecar>(*this, *workload, service.sidecar);
        workload->app = std::make_unique<Replica>(*this, *workload, service, version);
        by_address_[workload->address] = workload.get();
        workloads_.push_back(std::move(workload));
      }
    }
  }
  // The load generator: a client pod outside the mesh, in the first zone.
  auto client = std::make_unique<Workload>();
  client->id = static_cast<Index>(workloads_.size());
  client->service = static_cast<Index>(scenario_.services.size());
  client->name = "load-generator";
  client->address = "10.255.0.1:0";
  client->has_sidecar = false;
  SidecarSpec client_spec;
  client_spec.workers = 1;
  client->sidecar = std::make_unique<Sidecar>(*this, *client, client_spec);
  workloads_.push_back(std::move(client));
}

void Mesh::configureProxies() {
  const core::ProxyProfile profile = coreProfile(scenario_.profile);
  const core::RouteDefaults defaults = core::routeDefaultsFor(profile);
  // Istio manifests configure Istio sidecars; the other profiles run their own defaults.
  const bool istio = profile == core::ProxyProfile::kIstio;

  // Endpoints per (service, version), as service discovery would list them.
  std::vector<std::vector<std::vector<core::Endpoint>>> endpoints(scenario_.services.size());
  for (Index s = 0; s < scenario_.services.size(); ++s) {
    endpoints[s].resize(scenario_.services[s].versions.size());
  }
  for (const auto& workload : workloads_) {
    if (workload->app) {
      const ServiceSpec& service = scenario_.services[workload->service];
      endpoints[workload->service][workload->version].push_back(
          endpointOf(*workload, service.versions[workload->version], scenario_));
    }
  }
  const auto serviceEndpoints = [&](Index s, const std::vector<std::string>* versions) {
    std::vector<core::Endpoint> out;
    for (Index v = 0; v < scenario_.services[s].versions.size(); ++v) {
      const std::string& name = scenario_.services[s].versions[v].name;
      if (versions == nullptr ||
          std::find(versions->begin(), versions->end(), name) != versions->end()) {
        out.insert(out.end(), endpoints[s][v].begin(), endpoints[s][v].end());
      }
    }
    return out;
  };

  // PeerAuthentication: the manifests, plus the scenario's mesh-wide mtls.mode as a root-namespace
  // policy (strict or disable), which any more specific policy overrides (§7.1 precedence).
  std::vector<core::PeerAuthentication> peer_authentications = policies_.base.peer_authentications;
  if (scenario_.mtls.mode != MtlsMode::Auto) {
    core::PeerAuthentication mesh_wide;
    mesh_wide.name = "meshsim-mtls-mode";
    mesh_wide.ns = policies_.base.root_namespace;
    mesh_wide.mode = scenario_.mtls.mode == MtlsMode::Strict ? core::MtlsMode::kStrict
                                                             : core::MtlsMode::kDisable;
    peer_authentications.insert(peer_authentications.begin(), mesh_wide);
  }

  for (auto& workload : workloads_) {
    const bool meshed = workload->has_sidecar;
    core::ProxyConfig outbound;
    outbound.profile = profile;
    outbound.workers = meshed ? workload->sidecar->spec().workers : 1;
    outbound.locality.zone = scenario_.zones[workload->zone];
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

    std::optional<core::ProxyConfig> inbound;
    if (workload->app) {
      const ServiceSpec& service = scenario_.services[workload->service];
      const VersionSpec& version = service.versions[workload->version];
      inbound.emplace();
      inbound->profile = profile;
      inbound->workers = outbound.workers;
      inbound->inbound_port = 9080;
      core::VirtualHost vhost;
      vhost.name = "inbound";
      vhost.domains = {"*"};
      vhost.routes.push_back(
          meshed ? routeTo("inbound", core::Duration::zero(), defaults.inbound_retry)
                 : routeTo("inbound", core::Duration::zero(), std::nullopt));
      inbound->routes = core::RouteConfiguration({vhost});
      core::Endpoint local;
      local.address = "127.0.0.1:9080";
      core::ClusterPolicy policy = meshed ? core::ClusterPolicy::defaultsFor(profile)
                                          : passThroughPolicy(core::HttpProtocol::kHttp11);
      policy.protocol = core::HttpProtocol::kHttp11;
      policy.outlier_detection.reset();
      inbound->clusters.push_back(core::ClusterDefinition{"inbound", policy, {local}});
      if (meshed) {
        const istio::WorkloadPolicy* workload_policy =
            policies_.base.workload(service.name, version.name);
        if (workload_policy != nullptr && !workload_policy->authorization.empty()) {
          inbound->authorization = workload_policy->authorization;
        }
        const core::Labels labels = {{"app", service.name}, {"version", version.name}};
        workload->inbound_mtls =
            core::resolvePeerAuthentication(peer_authentications, policies_.base.root_namespace,
                                            service.namespace_name, labels)
                .modeFor(9080);
      }
    }
    workload->sidecar->configure(std::move(outbound), std::move(inbound));
  }
}

ConnectionSecurity Mesh::security(const Workload& client, const Workload& server) const {
  core::ClientTransport transport = core::ClientTransport::kPlaintext;
  if (client.has_sidecar) {
    // DestinationRule tls.mode if one sets it, else Istio auto mTLS: ISTIO_MUTUAL to endpoints
    // with a sidecar (§7.2). mtls.mode: disable turns auto mTLS off.
    std::optional<core::ClientTlsMode> destination_rule_mode;
    if (server.app) {
      if (const istio::ClusterDefinition* cluster =
              policies_.base.cluster(scenario_.services[server.service].name)) {
        destination_rule_mode = cluster->policy.tls_mode;
      }
    }
    transport = core::clientTransport(core::clientTlsMode(
        destination_rule_mode, scenario_.mtls.mode != MtlsMode::Disable, server.has_sidecar));
  }
  // A pod without a sidecar has a plaintext-only port.
  const core::MtlsMode server_mode =
      server.has_sidecar ? server.inbound_mtls : core::MtlsMode::kDisable;
  const core::InboundTlsDecision decision = core::decideInbound(server_mode, transport);
  ConnectionSecurity security;
  security.tls = transport != core::ClientTransport::kPlaintext;
  security.accepted = decision != core::InboundTlsDecision::kReject;
  security.identity = decision == core::InboundTlsDecision::kAcceptMutualTls;
  return security;
}

core::HandshakeParams Mesh::handshakeParams(bool resumed) const {
  core::HandshakeParams params;
  const core::TlsKeyType key = scenario_.mtls.key == TlsKey::EcdsaP256
                                   ? core::TlsKeyType::kEcdsaP256
                                   : core::TlsKeyType::kRsa2048;
  params.server_key = key;
  params.client_key = key;
  params.client_certificate = true;
  params.resumed = resumed;
  return params;
}

void Mesh::applyPolicyFault(std::size_t fault_index, bool start) {
  // An RDS push to every sidecar: new requests route by the fault's VirtualServices while it
  // lasts, then by the base ones again; requests already routed finish on their old table.
  const auto& routes = policies_.fault_routes[fault_index];
  if (!routes || scenario_.profile != ProxyProfile::Istio) {
    return;
  }
  for (auto& workload : workloads_) {
    if (workload->has_sidecar) {
      workload->sidecar->outbound().setRoutes(start ? *routes : policies_.base.outbound_routes);
    }
  }
}

void Mesh::start() {
  wall_start_ = std::chrono::steady_clock::now();
  load_ = std::make_unique<LoadGenerator>(*this, *workloads_.back());
  load_->start();
  faults_ = std::make_unique<FaultTimeline>(*this);
  faults_->schedule();
  next_sample_ = std::min(measure_from_ + recording_.series_interval, end_);
}

// The run goes in slices: to each interval boundary (to sample the gauges) and to each `until`
// a caller asks for. runUntil(t) of the engine fires exactly the events at or before t and nothing
// else, so slicing does not change what happens.
void Mesh::runUntil(SimTime until) {
  const SimTime target = std::min(until, end_);
  while (sim_.now() < target) {
    const SimTime slice = std::min(next_sample_, target);
    sim_.runUntil(slice);
    if (slice == next_sample_) {
      sampleGauges(slice);
      next_sample_ = slice == end_ ? SimTime::max()
                                   : std::min(next_sample_ + recording_.series_interval, end_);
    }
  }
}

void Mesh::finish() {
  for (TimeSeries& series : metrics_.series) {
    series.finish(end_);
  }
  wall_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
}

void Mesh::run(const ProgressCallback& progress) {
  start();
  const Duration total = end_ - core::kTimeZero;
  const Duration tick = progress ? std::max(Duration(1), total / 100) : total;
  for (SimTime next_tick = core::kTimeZero + tick; sim_.now() < end_;
       next_tick = std::min(next_tick + tick, end_)) {
    runUntil(next_tick);
    if (progress) {
      progress(static_cast<double>((sim_.now() - core::kTimeZero).count()) /
               static_cast<double>(total.count()));
    }
  }
  finish();
}

void Mesh::sampleGauges(SimTime at) {
  for (TimeSeries& series : metrics_.series) {
    series.advanceTo(at);
  }
  const std::size_t first = metrics_.gauges.size();
  metrics_.gauges.resize(first + scenario_.services.size() + 1);
  for (const auto& workload : workloads_) {
    if (workload->app) {
      SeriesGauges& gauges = metrics_.gauges[first + workload->service];
      gauges.in_flight += workload->app->inFlight();
      gauges.queued += workload->app->queued();
    }
  }
  metrics_.gauges[first + scenario_.services.size()].in_flight = load_->inFlight();
}

}  // namespace meshsim::sim
