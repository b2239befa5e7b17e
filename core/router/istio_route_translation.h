// Implements proxy-semantics.md §2, §6.2 and §6.4 (Istio route translation).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/config_diagnostic.h"
#include "core/common/time.h"
#include "core/router/route_configuration.h"

namespace meshsim::core {

// Which control plane's defaults apply to fields a manifest leaves out.
enum class RouteProfile {
  kEnvoy,  // raw Envoy: route timeout 15 s
  kIstio,  // Istio sidecar: route timeout 0 (disabled) unless the VirtualService sets one
};

// RouteAction.timeout for a route whose VirtualService timeout is `configured` (proxy-semantics §2,
// I: route.go setTimeout).
Duration routeTimeout(std::optional<Duration> configured, RouteProfile profile);

// meshsim's cluster name for a destination: the service, or "service|subset". Istio's real name is
// outbound|port|subset|host; the port is implied by the route configuration here.
std::string subsetClusterName(std::string_view service, std::string_view subset);

// One VirtualService `route[]` entry.
struct IstioDestination {
  std::string host;
  std::string subset;
  std::uint32_t weight = 0;
};

// Istio's applyHTTPRouteDestination (proxy-semantics §6.2): one destination => a plain cluster
// (its weight ignored); several => weighted clusters with zero weights dropped. Empty input and
// all-zero weights are reported.
std::vector<WeightedCluster> istioWeightedClusters(
    const std::vector<IstioDestination>& destinations, ConfigDiagnostics& diagnostics,
    const std::string& path = "route");

// Istio's MirrorPercent (proxy-semantics §6.4): mirrorPercentage (double) => MILLION, deprecated
// mirrorPercent (int) => HUNDRED, neither => 100 %, an explicit 0 => no mirror (nullopt).
std::optional<MirrorPolicy> istioMirrorPolicy(std::string cluster,
                                              std::optional<double> mirror_percentage,
                                              std::optional<std::uint32_t> mirror_percent);

// Istio's translateHeaderMatch for a VirtualService StringMatch of kind "exact", "prefix" or
// "regex": a regex of "*" (or an empty match) becomes present_match. Unknown kinds are reported
// and yield nullopt.
std::optional<HeaderMatcher> istioHeaderMatcher(std::string name, std::string_view kind,
                                                std::string value, ConfigDiagnostics& diagnostics,
                                                const std::string& path = "match.headers");

}  // namespace meshsim::core
