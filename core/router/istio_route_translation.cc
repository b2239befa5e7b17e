#include "core/router/istio_route_translation.h"

#include <algorithm>
#include <cctype>

namespace meshsim::core {

Duration routeTimeout(std::optional<Duration> configured, RouteProfile profile) {
  if (configured.has_value()) {
    return *configured;
  }
  return profile == RouteProfile::kIstio ? Duration(0) : kEnvoyDefaultRouteTimeout;
}

std::string subsetClusterName(std::string_view service, std::string_view subset) {
  std::string name(service);
  if (!subset.empty()) {
    name.push_back('|');
    name.append(subset);
  }
  return name;
}

std::vector<WeightedCluster> istioWeightedClusters(
    const std::vector<IstioDestination>& destinations, ConfigDiagnostics& diagnostics,
    const std::string& path) {
  std::vector<WeightedCluster> clusters;
  if (destinations.empty()) {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, path, "no destination"});
    return clusters;
  }
  if (destinations.size() == 1) {
    clusters.push_back(
        {subsetClusterName(destinations[0].host, destinations[0].subset), 1, kUnresolvedCluster});
    return clusters;
  }
  for (const auto& d : destinations) {
    if (d.weight > 0) {
      clusters.push_back({subsetClusterName(d.host, d.subset), d.weight, kUnresolvedCluster});
    }
  }
  if (clusters.empty()) {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, path, "weights sum to 0"});
  }
  return clusters;
}

std::optional<MirrorPolicy> istioMirrorPolicy(std::string cluster,
                                              std::optional<double> mirror_percentage,
                                              std::optional<std::uint32_t> mirror_percent) {
  MirrorPolicy policy;
  policy.cluster = std::move(cluster);
  if (mirror_percentage.has_value()) {
    if (!(*mirror_percentage > 0.0)) {
      return std::nullopt;
    }
    policy.fraction = fractionFromIstioPercentage(*mirror_percentage);
  } else if (mirror_percent.has_value()) {
    if (*mirror_percent == 0) {
      return std::nullopt;
    }
    policy.fraction = FractionalPercent::hundred(*mirror_percent);
  } else {
    policy.fraction = FractionalPercent::hundred(100);
  }
  return policy;
}

std::optional<HeaderMatcher> istioHeaderMatcher(std::string name, std::string_view kind,
                                                std::string value, ConfigDiagnostics& diagnostics,
                                                const std::string& path) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  HeaderMatcher header;
  header.name = std::move(name);
  if (kind.empty() || (kind == "regex" && value == "*")) {
    header.matcher = StringMatcher::present();
    return header;
  }
  if (kind != "exact" && kind != "prefix" && kind != "regex") {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, path,
                           "unknown match kind '" + std::string(kind) + "'"});
    return std::nullopt;
  }
  header.matcher = *StringMatcher::fromKindName(kind, std::move(value));
  if (!header.matcher.error().empty()) {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, path, header.matcher.error()});
  }
  return header;
}

}  // namespace meshsim::core
