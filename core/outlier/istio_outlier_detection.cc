#include "core/outlier/istio_outlier_detection.h"

namespace meshsim::core {

namespace {

// Istio's "N > 0 ? 100 : 0" enforcement for an explicitly set threshold.
constexpr std::uint32_t enforcingFor(std::uint32_t threshold) {
  return threshold > 0 ? 100 : 0;
}

}  // namespace

IstioOutlierTranslation translateIstioOutlierDetection(const IstioOutlierDetection& istio,
                                                       bool supports_unhealthy_endpoints) {
  IstioOutlierTranslation result;
  OutlierDetectionConfig& out = result.outlier;

  // Istio always disables success-rate ejection; everything it does not set keeps Envoy's
  // default, which is why an unset consecutive5xxErrors still ejects after 5 (§4.6).
  out.enforcing_success_rate = 0;

  if (istio.consecutive_5xx_errors.has_value()) {
    out.consecutive_5xx = *istio.consecutive_5xx_errors;
    out.enforcing_consecutive_5xx = enforcingFor(*istio.consecutive_5xx_errors);
  }
  if (istio.consecutive_gateway_errors.has_value()) {
    out.consecutive_gateway_failure = *istio.consecutive_gateway_errors;
    out.enforcing_consecutive_gateway_failure = enforcingFor(*istio.consecutive_gateway_errors);
  }
  if (istio.interval.has_value()) {
    out.interval = *istio.interval;
  }
  if (istio.base_ejection_time.has_value()) {
    out.base_ejection_time = *istio.base_ejection_time;
  }
  if (istio.max_ejection_percent > 0) {
    out.max_ejection_percent = static_cast<std::uint32_t>(istio.max_ejection_percent);
  }
  if (istio.split_external_local_origin_errors) {
    out.split_external_local_origin_errors = true;
    if (istio.consecutive_local_origin_failures.value_or(0) > 0) {
      out.consecutive_local_origin_failure = *istio.consecutive_local_origin_failures;
      out.enforcing_consecutive_local_origin_failure = 100;
    }
    out.enforcing_local_origin_success_rate = 0;
  }

  // Istio only writes the threshold for a non-negative value; a negative one leaves Envoy's 50 %.
  const std::int32_t min_health = supports_unhealthy_endpoints ? 0 : istio.min_health_percent;
  if (min_health >= 0) {
    result.healthy_panic_threshold_percent = static_cast<double>(min_health);
  }
  return result;
}

}  // namespace meshsim::core
