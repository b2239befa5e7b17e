// Implements proxy-semantics.md §1.8 (response flags).
#pragma once

#include <cstdint>
#include <string>

namespace meshsim::core {

// Envoy access-log response flags (E: source/common/stream_info/utility.h, proxy-semantics §1.8).
// A request can carry several (e.g. DI together with UT).
enum class ResponseFlag : std::uint32_t {
  kNone = 0,
  kNoHealthyUpstream = 1u << 0,              // UH
  kUpstreamConnectionFailure = 1u << 1,      // UF
  kUpstreamOverflow = 1u << 2,               // UO
  kNoRouteFound = 1u << 3,                   // NR
  kUpstreamRetryLimitExceeded = 1u << 4,     // URX
  kUpstreamRequestTimeout = 1u << 5,         // UT
  kUpstreamConnectionTermination = 1u << 6,  // UC
  kDelayInjected = 1u << 7,                  // DI
  kFaultInjected = 1u << 8,                  // FI
  kUpstreamRemoteReset = 1u << 9,            // UR
  kLocalReset = 1u << 10,                    // LR
  kNoClusterFound = 1u << 11,                // NC
  // RBAC denial is reported by Envoy through response-code details ("rbac_access_denied...") and
  // the rbac.denied stat; meshsim also shows it as a flag so a denied request is visible in traces.
  kRbacAccessDenied = 1u << 12,  // RBAC
};

using ResponseFlags = std::uint32_t;

constexpr ResponseFlags operator|(ResponseFlag a, ResponseFlag b) {
  return static_cast<ResponseFlags>(a) | static_cast<ResponseFlags>(b);
}
constexpr ResponseFlags operator|(ResponseFlags a, ResponseFlag b) {
  return a | static_cast<ResponseFlags>(b);
}
constexpr bool hasFlag(ResponseFlags flags, ResponseFlag f) {
  return (flags & static_cast<ResponseFlags>(f)) != 0;
}

// Envoy's short form, comma separated in Envoy's order ("-" when no flag is set).
std::string responseFlagsString(ResponseFlags flags);

}  // namespace meshsim::core
