#include "core/outlier/outlier_detection_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/outlier/istio_outlier_detection.h"

namespace meshsim::core {
namespace {

bool hasDiagnostic(const std::vector<OutlierDetectionConfig::Diagnostic>& diagnostics,
                   const std::string& field) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [&](const auto& d) { return d.field == field; });
}

// proxy-semantics §4.1.
TEST(OutlierDetectionConfigTest, EnvoyDefaults) {
  const OutlierDetectionConfig c;
  EXPECT_EQ(c.consecutive_5xx, 5u);
  EXPECT_EQ(c.enforcing_consecutive_5xx, 100u);
  EXPECT_EQ(c.consecutive_gateway_failure, 5u);
  EXPECT_EQ(c.enforcing_consecutive_gateway_failure, 0u);
  EXPECT_EQ(c.consecutive_local_origin_failure, 5u);
  EXPECT_EQ(c.enforcing_consecutive_local_origin_failure, 100u);
  EXPECT_FALSE(c.split_external_local_origin_errors);
  EXPECT_EQ(c.interval, 10s);
  EXPECT_EQ(c.base_ejection_time, 30s);
  EXPECT_EQ(c.maxEjectionTime(), 300s);
  EXPECT_EQ(c.max_ejection_time_jitter, 0s);
  EXPECT_EQ(c.max_ejection_percent, 10u);
  EXPECT_FALSE(c.always_eject_one_host);
  EXPECT_EQ(c.success_rate_minimum_hosts, 5u);
  EXPECT_EQ(c.success_rate_request_volume, 100u);
  EXPECT_EQ(c.success_rate_stdev_factor, 1900u);
  EXPECT_EQ(c.enforcing_success_rate, 100u);
  EXPECT_EQ(c.failure_percentage_threshold, 85u);
  EXPECT_EQ(c.failure_percentage_minimum_hosts, 5u);
  EXPECT_EQ(c.failure_percentage_request_volume, 50u);
  EXPECT_EQ(c.enforcing_failure_percentage, 0u);
  EXPECT_EQ(c.enforcing_failure_percentage_local_origin, 0u);
  EXPECT_EQ(c.enforcing_local_origin_success_rate, 100u);
  EXPECT_TRUE(c.successful_active_health_check_uneject_host);
  EXPECT_TRUE(c.validate().empty());
}

TEST(OutlierDetectionConfigTest, MaxEjectionTimeDefaultsToBaseWhenBaseIsLarger) {
  OutlierDetectionConfig c;
  c.base_ejection_time = 400s;
  EXPECT_EQ(c.maxEjectionTime(), 400s);
  c.max_ejection_time = 500s;
  EXPECT_EQ(c.maxEjectionTime(), 500s);
  EXPECT_TRUE(c.validate().empty());
}

TEST(OutlierDetectionConfigTest, ValidationReportsEachBadField) {
  OutlierDetectionConfig c;
  c.interval = 0s;
  c.max_ejection_time = 10s;  // below base 30 s: Envoy refuses the cluster
  c.enforcing_consecutive_5xx = 101;
  c.max_ejection_percent = 150;
  c.failure_percentage_threshold = 200;
  const auto diagnostics = c.validate();
  EXPECT_EQ(diagnostics.size(), 5u);
  EXPECT_TRUE(hasDiagnostic(diagnostics, "interval"));
  EXPECT_TRUE(hasDiagnostic(diagnostics, "max_ejection_time"));
  EXPECT_TRUE(hasDiagnostic(diagnostics, "enforcing_consecutive_5xx"));
  EXPECT_TRUE(hasDiagnostic(diagnostics, "max_ejection_percent"));
  EXPECT_TRUE(hasDiagnostic(diagnostics, "failure_percentage_threshold"));
}

// --- Istio DestinationRule outlierDetection (proxy-semantics §4.6, §10 items 12-14) -----------

TEST(IstioOutlierDetectionTest, EmptyBlockStillEjectsOnFiveConsecutive5xxAndDisablesPanic) {
  const IstioOutlierTranslation t = translateIstioOutlierDetection({});
  const OutlierDetectionConfig& c = t.outlier;
  EXPECT_EQ(c.consecutive_5xx, 5u);
  EXPECT_EQ(c.enforcing_consecutive_5xx, 100u);
  EXPECT_EQ(c.enforcing_success_rate, 0u);
  EXPECT_EQ(c.enforcing_consecutive_gateway_failure, 0u);
  EXPECT_EQ(c.interval, 10s);
  EXPECT_EQ(c.base_ejection_time, 30s);
  EXPECT_EQ(c.max_ejection_percent, 10u);
  EXPECT_FALSE(c.split_external_local_origin_errors);
  EXPECT_EQ(t.healthy_panic_threshold_percent, 0.0);
  // Never set by Istio: Envoy defaults.
  EXPECT_EQ(c.maxEjectionTime(), 300s);
  EXPECT_EQ(c.max_ejection_time_jitter, 0s);
  EXPECT_FALSE(c.always_eject_one_host);
  EXPECT_EQ(c.enforcing_failure_percentage, 0u);
  EXPECT_TRUE(c.validate().empty());
}

TEST(IstioOutlierDetectionTest, Consecutive5xxErrorsSetToNOrZero) {
  IstioOutlierDetection istio;
  istio.consecutive_5xx_errors = 3;
  auto t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.consecutive_5xx, 3u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_5xx, 100u);

  istio.consecutive_5xx_errors = 0;
  t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.consecutive_5xx, 0u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_5xx, 0u);
}

TEST(IstioOutlierDetectionTest, ConsecutiveGatewayErrorsOnlyWhenSet) {
  IstioOutlierDetection istio;
  istio.consecutive_gateway_errors = 7;
  auto t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.consecutive_gateway_failure, 7u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_gateway_failure, 100u);

  istio.consecutive_gateway_errors = 0;
  t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.consecutive_gateway_failure, 0u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_gateway_failure, 0u);
}

TEST(IstioOutlierDetectionTest, DurationsAndMaxEjectionPercentCopied) {
  IstioOutlierDetection istio;
  istio.interval = 1s;
  istio.base_ejection_time = 3min;
  istio.max_ejection_percent = 50;
  auto t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.interval, 1s);
  EXPECT_EQ(t.outlier.base_ejection_time, 180s);
  EXPECT_EQ(t.outlier.max_ejection_percent, 50u);

  istio.max_ejection_percent = 0;  // Istio's "unset": Envoy's 10 %
  t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.max_ejection_percent, 10u);
}

TEST(IstioOutlierDetectionTest, MinHealthPercentBecomesPanicThreshold) {
  IstioOutlierDetection istio;
  istio.min_health_percent = 30;
  EXPECT_EQ(translateIstioOutlierDetection(istio).healthy_panic_threshold_percent, 30.0);
  EXPECT_EQ(translateIstioOutlierDetection(istio, /*supports_unhealthy_endpoints=*/true)
                .healthy_panic_threshold_percent,
            0.0);
  istio.min_health_percent = -1;
  EXPECT_EQ(translateIstioOutlierDetection(istio).healthy_panic_threshold_percent, 50.0);
}

TEST(IstioOutlierDetectionTest, SplitExternalLocalOriginErrors) {
  IstioOutlierDetection istio;
  istio.split_external_local_origin_errors = true;
  istio.consecutive_local_origin_failures = 4;
  auto t = translateIstioOutlierDetection(istio);
  EXPECT_TRUE(t.outlier.split_external_local_origin_errors);
  EXPECT_EQ(t.outlier.consecutive_local_origin_failure, 4u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_local_origin_failure, 100u);
  EXPECT_EQ(t.outlier.enforcing_local_origin_success_rate, 0u);

  istio.consecutive_local_origin_failures = 0;  // not > 0: Envoy defaults stay
  t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.consecutive_local_origin_failure, 5u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_local_origin_failure, 100u);

  // Without split mode the local-origin threshold is ignored.
  istio.split_external_local_origin_errors = false;
  istio.consecutive_local_origin_failures = 2;
  t = translateIstioOutlierDetection(istio);
  EXPECT_FALSE(t.outlier.split_external_local_origin_errors);
  EXPECT_EQ(t.outlier.consecutive_local_origin_failure, 5u);
  EXPECT_EQ(t.outlier.enforcing_local_origin_success_rate, 100u);
}

TEST(IstioOutlierDetectionTest, DeprecatedConsecutiveErrorsIgnored) {
  IstioOutlierDetection istio;
  istio.consecutive_errors = 2;
  const auto t = translateIstioOutlierDetection(istio);
  EXPECT_EQ(t.outlier.consecutive_5xx, 5u);
  EXPECT_EQ(t.outlier.consecutive_gateway_failure, 5u);
  EXPECT_EQ(t.outlier.enforcing_consecutive_gateway_failure, 0u);
}

}  // namespace
}  // namespace meshsim::core
