#include "sim/scenario/scenario.h"

#include <algorithm>

namespace meshsim::sim {

namespace {

template <typename T>
std::optional<Index> findByName(const std::vector<T>& items, std::string_view name) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) {
      return static_cast<Index>(i);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Index> VersionSpec::findOperation(std::string_view request_path,
                                                std::string_view request_method) const {
  for (std::size_t i = 0; i < operations.size(); ++i) {
    if (operations[i].matches(request_path, request_method)) {
      return static_cast<Index>(i);
    }
  }
  return std::nullopt;
}

std::optional<Index> Scenario::findService(std::string_view service_name) const {
  return findByName(services, service_name);
}

std::optional<Index> Scenario::findZone(std::string_view zone_name) const {
  const auto it = std::find(zones.begin(), zones.end(), zone_name);
  if (it == zones.end()) {
    return std::nullopt;
  }
  return static_cast<Index>(it - zones.begin());
}

std::string_view faultKindName(const FaultAction& action) {
  struct Namer {
    std::string_view operator()(const ErrorRateFault&) const { return "error_rate"; }
    std::string_view operator()(const LatencyFault&) const { return "latency"; }
    std::string_view operator()(const CrashFault&) const { return "crash"; }
    std::string_view operator()(const SlowReplicaFault&) const { return "slow_replica"; }
    std::string_view operator()(const PartitionFault&) const { return "partition"; }
    std::string_view operator()(const LinkLossFault&) const { return "link_loss"; }
    std::string_view operator()(const TrafficSplitFault&) const { return "traffic_split"; }
    std::string_view operator()(const IstioFault&) const { return "istio_fault"; }
  };
  return std::visit(Namer{}, action);
}

core::ProxyProfile coreProxyProfile(ProxyProfile profile) {
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

double ErrorModel::failureProbability(double utilization) const {
  double p = probability;
  if (load_dependent) {
    p += load_dependent->slope * std::max(0.0, utilization - load_dependent->threshold);
  }
  return std::min(p, 1.0);
}

}  // namespace meshsim::sim
