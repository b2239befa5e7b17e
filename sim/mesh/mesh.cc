#include "sim/mesh/mesh.h"

#include <algorithm>
#include <chrono>

#include "sim/mesh/app_call.h"
#include "sim/mesh/fault_timeline.h"
#include "sim/mesh/load_generator.h"
#include "sim/mesh/mesh_connection.h"
#include "sim/mesh/proxy_configuration.h"
#include "sim/mesh/replica.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

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
        workload->name = podName(service, version, r);
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
  ProxyConfigurationBuilder builder(scenario_, policies_);
  for (const auto& workload : workloads_) {
    if (workload->app) {
      builder.addEndpoint(workload->service, workload->version, workload->zone, workload->address);
    }
  }
  for (auto& workload : workloads_) {
    PodPlacement pod;
    if (workload->app) {
      pod.service = workload->service;
    }
    pod.version = workload->version;
    pod.zone = workload->zone;
    pod.has_sidecar = workload->has_sidecar;
    pod.workers = workload->sidecar->spec().workers;
    SidecarConfiguration configuration = builder.build(pod);
    if (workload->app && workload->has_sidecar) {
      workload->inbound_mtls = configuration.inbound_mtls;
    }
    workload->sidecar->configure(std::move(configuration.outbound),
                                 std::move(configuration.inbound));
  }
}

ConnectionSecurity Mesh::security(const Workload& client, const Workload& server) const {
  const core::ClientTransport transport = clientTransportTo(
      scenario_, policies_, client.has_sidecar, server.app ? server.service : kAll);
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
