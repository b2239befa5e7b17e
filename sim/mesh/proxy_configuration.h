#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/authz/peer_authentication.h"
#include "core/proxy/proxy.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// What one pod's sidecar is configured with: its outbound proxy (the app's calls), its inbound
// proxy (in front of the app; unset for the load generator) and the PeerAuthentication mode on its
// inbound port (§7.1).
struct SidecarConfiguration {
  core::ProxyConfig outbound;
  std::optional<core::ProxyConfig> inbound;
  core::MtlsMode inbound_mtls = core::MtlsMode::kPermissive;
};

// One pod as the configuration sees it. `service` unset: the load generator (no app, no sidecar).
struct PodPlacement {
  std::optional<Index> service;
  Index version = 0;
  Index zone = 0;
  bool has_sidecar = true;
  std::uint32_t workers = 1;
  // Where the inbound proxy reaches its own app.
  std::string app_address = "127.0.0.1:9080";
};

// How a client reaches a pod of service `server_service` (§7.2): plaintext without a client
// sidecar; else the DestinationRule's tls.mode if one sets it, else Istio auto mTLS (unless the
// scenario's mtls.mode is disable) to pods with a sidecar.
core::ClientTransport clientTransportTo(const Scenario& scenario, const ScenarioPolicies& policies,
                                        bool client_has_sidecar, Index server_service);

// "<service>-<version>-<replica>", the name of a pod everywhere (random streams, traces, the real
// mesh's endpoints file).
std::string podName(const ServiceSpec& service, const VersionSpec& version, Index replica);

// Turns a scenario and its imported policies into per-pod proxy configuration, the way istiod
// would push it: Istio profiles get the manifests' routes and clusters, the other profiles their
// own defaults, pods without a sidecar pass-through proxies. The simulated mesh and the real
// sidecar (proxy/) both configure their core::Proxy objects through it, so they run the same
// policy. Endpoints are added first, as service discovery lists them.
class ProxyConfigurationBuilder {
 public:
  // `policies` must outlive the builder.
  ProxyConfigurationBuilder(const Scenario& scenario, const ScenarioPolicies& policies);

  // Registers replica `replica` of (service, version), reachable at `address`, in `zone`.
  void addEndpoint(Index service, Index version, Index zone, std::string address);
  SidecarConfiguration build(const PodPlacement& pod) const;

 private:
  std::vector<core::Endpoint> serviceEndpoints(Index service,
                                               const std::vector<std::string>* versions) const;

  const Scenario& scenario_;
  const ScenarioPolicies& policies_;
  // endpoints_[service][version], in registration order.
  std::vector<std::vector<std::vector<core::Endpoint>>> endpoints_;
  // The manifests' PeerAuthentications plus the scenario's mesh-wide mtls.mode.
  std::vector<core::PeerAuthentication> peer_authentications_;
};

}  // namespace meshsim::sim
