#include "core/outlier/outlier_detection_config.h"

#include <string_view>

namespace meshsim::core {

namespace {

void checkPercent(std::vector<OutlierDetectionConfig::Diagnostic>& out, std::string_view field,
                  std::uint32_t value) {
  if (value > 100) {
    out.push_back(
        {std::string(field), "must be a percentage in [0, 100], got " + std::to_string(value)});
  }
}

}  // namespace

std::vector<OutlierDetectionConfig::Diagnostic> OutlierDetectionConfig::validate() const {
  std::vector<Diagnostic> out;
  if (interval <= Duration::zero()) {
    out.push_back({"interval", "must be greater than 0"});
  }
  if (base_ejection_time <= Duration::zero()) {
    out.push_back({"base_ejection_time", "must be greater than 0"});
  }
  if (max_ejection_time.has_value() && *max_ejection_time <= Duration::zero()) {
    out.push_back({"max_ejection_time", "must be greater than 0"});
  }
  if (maxEjectionTime() < base_ejection_time) {
    out.push_back({"max_ejection_time", "cannot be smaller than base_ejection_time"});
  }
  if (max_ejection_time_jitter < Duration::zero()) {
    out.push_back({"max_ejection_time_jitter", "must not be negative"});
  }
  checkPercent(out, "max_ejection_percent", max_ejection_percent);
  checkPercent(out, "enforcing_consecutive_5xx", enforcing_consecutive_5xx);
  checkPercent(out, "enforcing_consecutive_gateway_failure", enforcing_consecutive_gateway_failure);
  checkPercent(out, "enforcing_consecutive_local_origin_failure",
               enforcing_consecutive_local_origin_failure);
  checkPercent(out, "enforcing_success_rate", enforcing_success_rate);
  checkPercent(out, "enforcing_local_origin_success_rate", enforcing_local_origin_success_rate);
  checkPercent(out, "enforcing_failure_percentage", enforcing_failure_percentage);
  checkPercent(out, "enforcing_failure_percentage_local_origin",
               enforcing_failure_percentage_local_origin);
  checkPercent(out, "failure_percentage_threshold", failure_percentage_threshold);
  return out;
}

}  // namespace meshsim::core
