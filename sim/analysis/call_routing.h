#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/policy/proxy_profile.h"
#include "core/retry/retry_policy.h"
#include "core/router/route_configuration.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// How one call leaves its caller, as sim::Mesh configures the caller's proxy: whether a sidecar
// handles it, the mesh retry policy in force and how the callee's versions share its attempts.
struct CallRouting {
  bool meshed = false;  // the caller has a sidecar (the load generator never has one)
  // Istio profile: the VirtualService route the request matches (nullptr: none matches, Envoy's
  // 404 NR, or the caller is not an Istio sidecar).
  const core::RouteEntry* route = nullptr;
  std::optional<core::RetryPolicy> retry;  // the mesh retry policy; nullopt = no mesh retries
  // Per callee version: the fraction of attempts it receives. Sums to 1, or less when a
  // destination subset has no endpoints (503 UH), or 0 when no route matches.
  std::vector<double> version_share;
};

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

// Resolves calls against the base policy (the one in force at the start of the run; canary steps
// and fault manifests are not considered).
class CallRouter {
 public:
  // Both must outlive the router.
  CallRouter(const Scenario& scenario, const ScenarioPolicies& policies);

  // `caller` == scenario.services.size() stands for the load generator. `headers` are the
  // request's headers, which apps propagate downstream (so a mix entry's headers steer every hop).
  CallRouting route(Index caller, Index callee, const std::string& path, const std::string& method,
                    const HeaderPairs& headers) const;

  Index loadGenerator() const { return static_cast<Index>(scenario_.services.size()); }

 private:
  std::vector<double> shareOver(Index callee, const std::vector<std::string>* versions,
                                bool weighted) const;

  const Scenario& scenario_;
  const ScenarioPolicies& policies_;
  core::RouteDefaults defaults_;
};

// Whether `policy` retries a response with this HTTP status (proxy-semantics §1.2(a): 5xx,
// gateway-error for 502/503/504, retriable-4xx for 409, retriable-status-codes).
bool retriesStatus(const core::RetryPolicy& policy, std::uint32_t status);

// The retries a policy makes on its worst 5xx response: num_retries if it retries some status in
// [500, 599], else 0. Istio's default policy retries none (§1.9: connect failures only).
std::uint32_t retriesOn5xx(const std::optional<core::RetryPolicy>& policy);

// The retries on a connection failure (§1.2(b): connect-failure, reset-before-request, reset,
// 5xx and gateway-error all retry it).
std::uint32_t retriesOnConnectFailure(const std::optional<core::RetryPolicy>& policy);

}  // namespace meshsim::sim
