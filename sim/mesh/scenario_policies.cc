#include "sim/mesh/scenario_policies.h"

#include <algorithm>
#include <variant>

namespace meshsim::sim {

namespace {

istio::MeshCatalog catalogOf(const Scenario& scenario) {
  istio::MeshCatalog catalog;
  for (const ServiceSpec& service : scenario.services) {
    std::vector<std::string> versions;
    for (const VersionSpec& version : service.versions) {
      versions.push_back(version.name);
    }
    istio::CatalogService& entry =
        catalog.addService(service.name, service.namespace_name, versions, service.has_sidecar);
    entry.service_account = service.service_account;
    entry.protocol = service.protocol == Protocol::Http1 ? core::HttpProtocol::kHttp11
                                                         : core::HttpProtocol::kHttp2;
  }
  return catalog;
}

std::vector<config::Node> documentsOf(const std::vector<PolicySource>& sources) {
  std::vector<config::Node> documents;
  for (const PolicySource& source : sources) {
    documents.insert(documents.end(), source.documents.begin(), source.documents.end());
  }
  return documents;
}

std::vector<std::string> virtualServiceHosts(const config::Node& document) {
  std::vector<std::string> hosts;
  if (!document.isMap() || document.stringOr("kind", "") != "VirtualService") {
    return hosts;
  }
  const auto spec = document.get("spec");
  if (!spec || !spec->isMap()) {
    return hosts;
  }
  if (const auto list = spec->get("hosts"); list && list->isSequence()) {
    for (const config::Node& host : list->elements()) {
      if (host.isScalar()) {
        hosts.push_back(host.asString());
      }
    }
  }
  return hosts;
}

const PolicySource* faultManifest(const FaultSpec& fault) {
  if (const auto* split = std::get_if<TrafficSplitFault>(&fault.action)) {
    return &split->manifest;
  }
  if (const auto* istio_fault = std::get_if<IstioFault>(&fault.action)) {
    return &istio_fault->manifest;
  }
  return nullptr;
}

}  // namespace

ScenarioPolicies importScenarioPolicies(const Scenario& scenario, config::Warnings& warnings) {
  ScenarioPolicies policies;
  policies.catalog = catalogOf(scenario);
  const std::vector<config::Node> base_documents = documentsOf(scenario.policies);
  policies.base = istio::importPolicies(base_documents, policies.catalog, warnings);

  policies.fault_routes.resize(scenario.faults.size());
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    const PolicySource* manifest = faultManifest(scenario.faults[i]);
    if (manifest == nullptr) {
      continue;
    }
    // The fault's VirtualServices replace the base ones for the same hosts; everything else of
    // the base policy stays.
    std::vector<std::string> replaced;
    for (const config::Node& document : manifest->documents) {
      if (!document.isMap() || document.stringOr("kind", "") != "VirtualService") {
        document.fail("a fault manifest may only contain VirtualServices");
      }
      for (std::string& host : virtualServiceHosts(document)) {
        replaced.push_back(std::move(host));
      }
    }
    std::vector<config::Node> documents = manifest->documents;
    for (const config::Node& document : base_documents) {
      const std::vector<std::string> hosts = virtualServiceHosts(document);
      const bool superseded = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& h) {
        return std::find(replaced.begin(), replaced.end(), h) != replaced.end();
      });
      if (!superseded) {
        documents.push_back(document);
      }
    }
    config::Warnings fault_warnings;  // the base policy's warnings were reported already
    istio::MeshPolicy variant = istio::importPolicies(documents, policies.catalog, fault_warnings);
    for (const core::VirtualHost& vhost : variant.outbound_routes.virtualHosts()) {
      for (const core::RouteEntry& route : vhost.routes) {
        for (const core::WeightedCluster& cluster : route.clusters) {
          if (policies.base.cluster(cluster.name) == nullptr) {
            manifest->documents.front().fail("routes to '" + cluster.name +
                                             "', a subset no DestinationRule of the scenario's "
                                             "policies defines");
          }
        }
      }
    }
    policies.fault_routes[i] = std::move(variant.outbound_routes);
  }
  return policies;
}

}  // namespace meshsim::sim
