// Implements proxy-semantics.md §9 (profiles and route defaults).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/common/time.h"
#include "core/retry/retry_policy.h"

namespace meshsim::core {

// Which product's defaults a proxy applies (proxy-semantics §9). The caller chooses: the same
// policy code runs under each, only the defaults differ.
enum class ProxyProfile : std::uint8_t {
  kEnvoy,    // raw Envoy: API defaults
  kIstio,    // an Istio sidecar as istiod configures it
  kLinkerd,  // the Linkerd2 proxy
};

std::string_view profileName(ProxyProfile profile);
std::optional<ProxyProfile> parseProfile(std::string_view name);

// Route-level defaults that apply when no VirtualService (or route) says otherwise (§9).
struct RouteDefaults {
  Duration route_timeout{0};  // 0 = disabled
  std::optional<RetryPolicy> outbound_retry;
  std::optional<RetryPolicy> inbound_retry;
};

RouteDefaults routeDefaultsFor(ProxyProfile profile);

}  // namespace meshsim::core
