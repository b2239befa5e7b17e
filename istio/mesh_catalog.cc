#include "istio/mesh_catalog.h"

namespace meshsim::istio {

CatalogService& MeshCatalog::addService(std::string name, std::string ns,
                                        const std::vector<std::string>& versions, bool sidecar) {
  CatalogService service;
  service.name = std::move(name);
  service.ns = std::move(ns);
  service.sidecar = sidecar;
  for (const std::string& version : versions) {
    service.versions.push_back({version, {{"app", service.name}, {"version", version}}});
  }
  services.push_back(std::move(service));
  return services.back();
}

std::string MeshCatalog::fqdn(const CatalogService& service) const {
  return service.name + "." + service.ns + ".svc." + domain_suffix;
}

const CatalogService* MeshCatalog::findByFqdn(std::string_view host) const {
  for (const CatalogService& service : services) {
    if (fqdn(service) == host) {
      return &service;
    }
  }
  return nullptr;
}

const CatalogService* MeshCatalog::find(std::string_view name) const {
  for (const CatalogService& service : services) {
    if (service.name == name) {
      return &service;
    }
  }
  return nullptr;
}

}  // namespace meshsim::istio
