#include "proxy/common/scenario_pods.h"

#include <variant>

#include "sim/mesh/proxy_configuration.h"

namespace meshsim::proxy {

std::vector<PodRef> scenarioPods(const sim::Scenario& scenario) {
  std::vector<PodRef> pods;
  for (sim::Index s = 0; s < scenario.services.size(); ++s) {
    const sim::ServiceSpec& service = scenario.services[s];
    for (sim::Index v = 0; v < service.versions.size(); ++v) {
      const sim::VersionSpec& version = service.versions[v];
      for (sim::Index r = 0; r < version.replicas; ++r) {
        pods.push_back(PodRef{sim::podName(service, version, r), s, v, r,
                              version.replica_zone.empty() ? 0 : version.replica_zone[r]});
      }
    }
  }
  return pods;
}

std::optional<PodRef> findPod(const sim::Scenario& scenario, std::string_view name) {
  for (PodRef& pod : scenarioPods(scenario)) {
    if (pod.name == name) {
      return std::move(pod);
    }
  }
  return std::nullopt;
}

std::vector<std::string> realMeshLimitations(const sim::Scenario& scenario) {
  std::vector<std::string> problems;
  for (const sim::ServiceSpec& service : scenario.services) {
    if (service.protocol != sim::Protocol::Http1) {
      problems.push_back("service '" + service.name +
                         "': meshproxy speaks HTTP/1.1 only (set protocol: http1)");
    }
  }
  for (const sim::FaultSpec& fault : scenario.faults) {
    if (!std::holds_alternative<sim::ErrorRateFault>(fault.action) &&
        !std::holds_alternative<sim::LatencyFault>(fault.action) &&
        !std::holds_alternative<sim::SlowReplicaFault>(fault.action)) {
      problems.push_back("fault '" + std::string(sim::faultKindName(fault.action)) +
                         "': the real mesh runs error_rate, latency and slow_replica faults only");
    }
  }
  return problems;
}

}  // namespace meshsim::proxy
