// Implements proxy-semantics.md §4.1.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/time.h"

namespace meshsim::core {

// Envoy's cluster.outlier_detection block as a value type, with the defaults of
// envoy/config/cluster/v3/outlier_detection.proto (proxy-semantics §4.1). Percentages are integer
// percent; `success_rate_stdev_factor` is in thousandths (1900 => 1.9) as in the proto.
struct OutlierDetectionConfig {
  struct Diagnostic {
    std::string field;
    std::string message;
  };

  Duration interval = std::chrono::seconds(10);
  Duration base_ejection_time = std::chrono::seconds(30);
  // Unset => max(300 s, base_ejection_time) (Envoy DetectorConfig).
  std::optional<Duration> max_ejection_time;
  Duration max_ejection_time_jitter{0};

  std::uint32_t consecutive_5xx = 5;
  std::uint32_t consecutive_gateway_failure = 5;
  std::uint32_t consecutive_local_origin_failure = 5;
  std::uint32_t max_ejection_percent = 10;
  bool always_eject_one_host = false;
  bool split_external_local_origin_errors = false;

  std::uint32_t enforcing_consecutive_5xx = 100;
  // Detection runs, but enforcement defaults to 0 % ⇒ gateway-failure ejection is off (§4.1).
  std::uint32_t enforcing_consecutive_gateway_failure = 0;
  std::uint32_t enforcing_consecutive_local_origin_failure = 100;
  std::uint32_t enforcing_success_rate = 100;
  std::uint32_t enforcing_local_origin_success_rate = 100;
  std::uint32_t enforcing_failure_percentage = 0;
  std::uint32_t enforcing_failure_percentage_local_origin = 0;

  std::uint32_t success_rate_minimum_hosts = 5;
  std::uint32_t success_rate_request_volume = 100;
  std::uint32_t success_rate_stdev_factor = 1900;
  std::uint32_t failure_percentage_threshold = 85;
  std::uint32_t failure_percentage_minimum_hosts = 5;
  std::uint32_t failure_percentage_request_volume = 50;

  bool successful_active_health_check_uneject_host = true;

  Duration maxEjectionTime() const {
    return max_ejection_time.value_or(
        std::max<Duration>(std::chrono::seconds(300), base_ejection_time));
  }

  // Constraints of the proto (PGV rules) plus Envoy's own check that max_ejection_time is not
  // below base_ejection_time. Empty => valid.
  std::vector<Diagnostic> validate() const;
};

}  // namespace meshsim::core
