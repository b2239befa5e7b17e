#include "sim/analysis/call_routing.h"

#include <algorithm>

namespace meshsim::sim {

CallRouter::CallRouter(const Scenario& scenario, const ScenarioPolicies& policies)
    : scenario_(scenario),
      policies_(policies),
      defaults_(core::routeDefaultsFor(coreProxyProfile(scenario.profile))) {}

std::vector<double> CallRouter::shareOver(Index callee, const std::vector<std::string>* versions,
                                          bool weighted) const {
  // Balancers spread attempts in proportion to endpoint weight (a version's `weight` per
  // replica); kube-proxy (a caller without a sidecar) picks uniformly, and so does Envoy's random
  // balancer, which ignores weights (proxy-semantics §10 item 9).
  const ServiceSpec& service = scenario_.services[callee];
  std::vector<double> share(service.versions.size(), 0.0);
  double total = 0;
  for (std::size_t v = 0; v < service.versions.size(); ++v) {
    const VersionSpec& version = service.versions[v];
    if (versions != nullptr &&
        std::find(versions->begin(), versions->end(), version.name) == versions->end()) {
      continue;
    }
    share[v] = version.replicas * (weighted ? static_cast<double>(version.weight) : 1.0);
    total += share[v];
  }
  for (double& s : share) {
    s = total > 0 ? s / total : 0.0;
  }
  return share;
}

CallRouting CallRouter::route(Index caller, Index callee, const std::string& path,
                              const std::string& method, const HeaderPairs& headers) const {
  CallRouting out;
  out.meshed = caller < scenario_.services.size() && scenario_.services[caller].has_sidecar;
  if (!out.meshed) {
    out.version_share = shareOver(callee, nullptr, false);
    return out;
  }
  if (scenario_.profile != ProxyProfile::Istio) {
    // sim::Mesh gives Envoy and Linkerd sidecars one default route per service.
    out.retry = defaults_.outbound_retry;
    out.version_share = shareOver(callee, nullptr, true);
    return out;
  }
  core::Request request;
  request.method = method;
  request.path = path;
  request.authority = scenario_.services[callee].name;
  for (const auto& [name, value] : headers) {
    request.headers.add(name, value);
  }
  out.version_share.assign(scenario_.services[callee].versions.size(), 0.0);
  out.route = policies_.base.outbound_routes.route(request);
  if (out.route == nullptr) {
    return out;
  }
  out.retry = out.route->retry_policy;
  const double total = static_cast<double>(out.route->totalWeight());
  for (const core::WeightedCluster& cluster : out.route->clusters) {
    const istio::ClusterDefinition* definition = policies_.base.cluster(cluster.name);
    if (definition == nullptr || total <= 0) {
      continue;
    }
    const Index target = scenario_.findService(definition->service).value_or(callee);
    if (target != callee) {
      // A VirtualService may send a host's traffic to another service; the analysis keeps the
      // call graph as the scenario declares it.
      continue;
    }
    const std::vector<double> within =
        shareOver(callee, definition->subset.empty() ? nullptr : &definition->versions, true);
    for (std::size_t v = 0; v < within.size(); ++v) {
      out.version_share[v] += cluster.weight / total * within[v];
    }
  }
  return out;
}

bool retriesStatus(const core::RetryPolicy& policy, std::uint32_t status) {
  const std::uint32_t on = policy.retry_on;
  if ((on & core::kRetryOn5xx) != 0 && status >= 500 && status <= 599) {
    return true;
  }
  if ((on & core::kRetryOnGatewayError) != 0 && status >= 502 && status <= 504) {
    return true;
  }
  if ((on & core::kRetryOnRetriable4xx) != 0 && status == 409) {
    return true;
  }
  return (on & core::kRetryOnRetriableStatusCodes) != 0 &&
         std::find(policy.retriable_status_codes.begin(), policy.retriable_status_codes.end(),
                   status) != policy.retriable_status_codes.end();
}

std::uint32_t retriesOn5xx(const std::optional<core::RetryPolicy>& policy) {
  if (!policy || !policy->enabled()) {
    return 0;
  }
  for (std::uint32_t status = 500; status <= 599; ++status) {
    if (retriesStatus(*policy, status)) {
      return policy->num_retries;
    }
  }
  return 0;
}

std::uint32_t retriesOnConnectFailure(const std::optional<core::RetryPolicy>& policy) {
  if (!policy) {
    return 0;
  }
  constexpr std::uint32_t kRetriesConnectFailure =
      core::kRetryOnConnectFailure | core::kRetryOnResetBeforeRequest | core::kRetryOnReset |
      core::kRetryOn5xx | core::kRetryOnGatewayError;
  return (policy->retry_on & kRetriesConnectFailure) != 0 ? policy->num_retries : 0;
}

}  // namespace meshsim::sim
