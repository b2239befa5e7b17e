// Implements proxy-semantics.md §7.3.
#pragma once

#include <chrono>

#include "core/common/time.h"

namespace meshsim::core {

// Workload certificate lifetimes and rotation points (proxy-semantics §7.3, §9).
inline constexpr Duration kIstioWorkloadCertTtl = std::chrono::hours(24);
// SECRET_GRACE_PERIOD_RATIO 0.5: rotate when half the lifetime remains (±1 % jitter ignored).
inline constexpr double kIstioRotationRatio = 0.5;
inline constexpr Duration kLinkerdWorkloadCertTtl = std::chrono::hours(24);
// The Linkerd proxy refreshes at 70 % of the lifetime.
inline constexpr double kLinkerdRotationRatio = 0.7;

// Time after issuance at which the workload fetches a new certificate.
constexpr Duration rotationAfter(Duration ttl, double ratio) {
  return Duration(static_cast<Duration::rep>(static_cast<double>(ttl.count()) * ratio));
}

inline constexpr Duration kIstioRotationAfter =
    rotationAfter(kIstioWorkloadCertTtl, kIstioRotationRatio);
inline constexpr Duration kLinkerdRotationAfter =
    rotationAfter(kLinkerdWorkloadCertTtl, kLinkerdRotationRatio);

}  // namespace meshsim::core
