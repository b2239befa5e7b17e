#include "core/stats/response_flags.h"

#include <array>
#include <utility>

namespace meshsim::core {

std::string responseFlagsString(ResponseFlags flags) {
  static constexpr std::array<std::pair<ResponseFlag, const char*>, 13> kNames{{
      {ResponseFlag::kNoHealthyUpstream, "UH"},
      {ResponseFlag::kUpstreamConnectionFailure, "UF"},
      {ResponseFlag::kUpstreamOverflow, "UO"},
      {ResponseFlag::kNoRouteFound, "NR"},
      {ResponseFlag::kUpstreamRetryLimitExceeded, "URX"},
      {ResponseFlag::kUpstreamRequestTimeout, "UT"},
      {ResponseFlag::kUpstreamConnectionTermination, "UC"},
      {ResponseFlag::kDelayInjected, "DI"},
      {ResponseFlag::kFaultInjected, "FI"},
      {ResponseFlag::kUpstreamRemoteReset, "UR"},
      {ResponseFlag::kLocalReset, "LR"},
      {ResponseFlag::kNoClusterFound, "NC"},
      {ResponseFlag::kRbacAccessDenied, "RBAC"},
  }};
  std::string out;
  for (const auto& [flag, name] : kNames) {
    if (hasFlag(flags, flag)) {
      if (!out.empty()) {
        out += ',';
      }
      out += name;
    }
  }
  return out.empty() ? "-" : out;
}

}  // namespace meshsim::core
