// Implements proxy-semantics.md §4.6.
#pragma once

#include <cstdint>
#include <optional>

#include "core/common/time.h"
#include "core/outlier/outlier_detection_config.h"

namespace meshsim::core {

// Istio's DestinationRule trafficPolicy.outlierDetection, field for field (istio/api
// networking/v1alpha3/destination_rule.proto). Wrapper-typed fields are optional because Istio
// distinguishes "unset" from 0 for them; plain ints use 0 as "unset" exactly as Istio does.
struct IstioOutlierDetection {
  std::optional<std::uint32_t> consecutive_5xx_errors;
  std::optional<std::uint32_t> consecutive_gateway_errors;
  std::optional<Duration> interval;
  std::optional<Duration> base_ejection_time;
  std::int32_t max_ejection_percent = 0;
  std::int32_t min_health_percent = 0;
  bool split_external_local_origin_errors = false;
  std::optional<std::uint32_t> consecutive_local_origin_failures;
  // Deprecated `consecutiveErrors`: accepted and ignored, as current Istio does (§4.6).
  std::optional<std::uint32_t> consecutive_errors;
};

// What the block turns into on an outbound cluster: the outlier config plus the
// common_lb_config.healthy_panic_threshold it sets (in percent).
struct IstioOutlierTranslation {
  OutlierDetectionConfig outlier;
  double healthy_panic_threshold_percent = 50.0;
};

// Istio's applyOutlierDetection (proxy-semantics §4.6, §10 items 12-14). Call it only when the
// block is present: presence alone (even empty) enables outlier detection with consecutive 5xx = 5
// and sets the panic threshold to minHealthPercent (0 => panic disabled). Set
// `supports_unhealthy_endpoints` when the service publishes not-ready endpoints; Istio then forces
// the panic threshold to 0.
IstioOutlierTranslation translateIstioOutlierDetection(const IstioOutlierDetection& istio,
                                                       bool supports_unhealthy_endpoints = false);

}  // namespace meshsim::core
