#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/authz/peer_authentication.h"
#include "core/upstream/transport.h"

namespace meshsim::istio {

// One deployment (version) of a service: the pod labels its endpoints and workload carry, which
// DestinationRule subsets, PeerAuthentication and AuthorizationPolicy selectors are matched
// against.
struct CatalogVersion {
  std::string name;     // e.g. "v1"
  core::Labels labels;  // e.g. {app: reviews, version: v1}
};

// A Kubernetes service of the mesh as the manifests see it. Names are unique across the mesh
// (the scenario requires it), which lets one outbound route table serve every client.
struct CatalogService {
  std::string name;
  std::string ns = "default";
  std::vector<CatalogVersion> versions;
  bool sidecar = true;          // false: no inbound policy applies (no PeerAuthentication/authz)
  std::string service_account;  // empty = name (the SPIFFE id's sa/ part)
  core::HttpProtocol protocol = core::HttpProtocol::kHttp11;

  const std::string& serviceAccount() const {
    return service_account.empty() ? name : service_account;
  }
};

// What the import checks references against: the mesh's services, the Istio root namespace
// (mesh-wide PeerAuthentication / AuthorizationPolicy) and the cluster domain suffix.
struct MeshCatalog {
  std::vector<CatalogService> services;
  std::string root_namespace = "istio-system";
  std::string domain_suffix = "cluster.local";

  // Adds a service whose versions carry the usual Kubernetes labels app=<name>, version=<version>.
  CatalogService& addService(std::string name, std::string ns,
                             const std::vector<std::string>& versions, bool sidecar = true);

  // "<name>.<ns>.svc.<domain_suffix>", the host Istio resolves short names to.
  std::string fqdn(const CatalogService& service) const;
  const CatalogService* findByFqdn(std::string_view host) const;
  const CatalogService* find(std::string_view name) const;
};

}  // namespace meshsim::istio
