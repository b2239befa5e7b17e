#include "core/policy/proxy_profile.h"

#include "core/retry/istio_retry.h"
#include "core/router/route_configuration.h"

namespace meshsim::core {

std::string_view profileName(ProxyProfile profile) {
  switch (profile) {
    case ProxyProfile::kEnvoy:
      return "envoy";
    case ProxyProfile::kIstio:
      return "istio";
    case ProxyProfile::kLinkerd:
      return "linkerd";
  }
  return "unknown";
}

std::optional<ProxyProfile> parseProfile(std::string_view name) {
  for (ProxyProfile profile :
       {ProxyProfile::kEnvoy, ProxyProfile::kIstio, ProxyProfile::kLinkerd}) {
    if (profileName(profile) == name) {
      return profile;
    }
  }
  return std::nullopt;
}

RouteDefaults routeDefaultsFor(ProxyProfile profile) {
  RouteDefaults defaults;
  switch (profile) {
    case ProxyProfile::kEnvoy:
      // RouteAction.timeout defaults to 15 s; no retry policy unless configured (§1.1, §2).
      defaults.route_timeout = kEnvoyDefaultRouteTimeout;
      break;
    case ProxyProfile::kIstio:
      // Istio disables the route timeout and installs its implicit retry policies (§1.9, §2).
      defaults.outbound_retry = istioDefaultRetryPolicy();
      defaults.inbound_retry = istioInboundDefaultRetryPolicy();
      break;
    case ProxyProfile::kLinkerd:
      // No request timeout and no retries unless annotated or given by a ServiceProfile (§1.10,
      // §2).
      break;
  }
  return defaults;
}

}  // namespace meshsim::core
