#include "core/outlier/outlier_detector.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/common/manual_event_loop.h"
#include "core/outlier/istio_outlier_detection.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

struct Event {
  bool ejected;
  std::uint32_t host;
  OutlierEjectionType type;
  MonotonicTime at;
  friend bool operator==(const Event&, const Event&) = default;
};

class RecordingListener : public OutlierEventListener {
 public:
  explicit RecordingListener(const EventLoop& loop) : loop_(loop) {}
  void onHostEjected(Host& host, OutlierEjectionType type) override {
    events.push_back({true, host.index(), type, loop_.now()});
  }
  void onHostUnejected(Host& host) override {
    events.push_back({false, host.index(), OutlierEjectionType::Consecutive5xx, loop_.now()});
  }
  std::vector<Event> events;

 private:
  const EventLoop& loop_;
};

MonotonicTime at(Duration d) {
  return kTimeZero + d;
}

class OutlierDetectorTest : public ::testing::Test {
 protected:
  void makeHosts(std::uint32_t n) {
    const auto first = static_cast<std::uint32_t>(hosts_.size());
    for (std::uint32_t i = first; i < first + n; ++i) {
      owned_.push_back(std::make_unique<Host>(i, "10.0.0." + std::to_string(i)));
      hosts_.push_back(owned_.back().get());
    }
  }
  OutlierDetector& create(std::uint32_t n, const OutlierDetectionConfig& config) {
    EXPECT_TRUE(config.validate().empty());
    makeHosts(n);
    detector_ = std::make_unique<OutlierDetector>(loop_, random_, config, stats_, hosts_);
    detector_->addListener(listener_);
    return *detector_;
  }
  void report(std::uint32_t host, std::uint32_t code, int times = 1) {
    for (int i = 0; i < times; ++i) {
      detector_->putHttpResponseCode(*hosts_[host], code);
    }
  }
  Host& host(std::uint32_t i) { return *hosts_[i]; }

  ManualEventLoop loop_;
  testing::ScriptedRandom random_;
  ClusterStats stats_;
  std::vector<std::unique_ptr<Host>> owned_;
  std::vector<Host*> hosts_;
  RecordingListener listener_{loop_};
  std::unique_ptr<OutlierDetector> detector_;
};

// --- consecutive errors (proxy-semantics §4.3) ------------------------------------------------

TEST_F(OutlierDetectorTest, FiveConsecutive5xxEjectExactlyAtTheFifth) {
  auto& d = create(10, {});
  report(0, 500, 4);
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 4u);
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 0u);

  report(0, 500);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_FALSE(host(0).healthy());
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_consecutive_5xx, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_total, 1u);
  EXPECT_EQ(stats_.outlier_ejections_active, 1u);
  EXPECT_EQ(stats_.outlier_ejections_overflow, 0u);
  EXPECT_EQ(d.ejectionsActive(), 1u);
  EXPECT_EQ(d.monitor(host(0)).num_ejections, 1u);
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 1u);
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 0u);
  EXPECT_EQ(d.monitor(host(0)).last_ejection_time, at(0s));
  // Enforcement 100 % decides without a draw, and jitter 0 draws nothing either.
  EXPECT_EQ(random_.draws(), 0u);
  ASSERT_EQ(listener_.events.size(), 1u);
  EXPECT_EQ(listener_.events[0], (Event{true, 0, OutlierEjectionType::Consecutive5xx, at(0s)}));
}

TEST_F(OutlierDetectorTest, SuccessResetsTheRun) {
  create(10, {});
  report(0, 500, 4);
  report(0, 200);
  report(0, 503, 4);
  EXPECT_FALSE(host(0).outlierEjected());
  report(0, 404);  // 4xx is a success for outlier detection
  report(0, 500, 4);
  EXPECT_FALSE(host(0).outlierEjected());
  report(0, 500);
  EXPECT_TRUE(host(0).outlierEjected());
}

TEST_F(OutlierDetectorTest, GatewayFailuresDetectedButNotEnforcedByDefault) {
  auto& d = create(10, {});
  report(0, 503, 5);
  // Both detectors fire on the 5th 503; gateway enforcement 0 % refuses, 5xx ejects.
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_gateway_failure, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_consecutive_gateway_failure, 0u);
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_consecutive_5xx, 1u);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_EQ(d.monitor(host(0)).consecutive_gateway_failure, 0u);
}

TEST_F(OutlierDetectorTest, GatewayFailuresCountOnly502To504) {
  OutlierDetectionConfig config;
  config.enforcing_consecutive_gateway_failure = 100;
  config.consecutive_5xx = 1000;
  auto& d = create(10, config);
  report(0, 502);
  report(0, 503);
  report(0, 504);
  report(0, 502);
  EXPECT_EQ(d.monitor(host(0)).consecutive_gateway_failure, 4u);
  report(0, 500);  // a 5xx that is not a gateway error breaks the gateway run
  EXPECT_EQ(d.monitor(host(0)).consecutive_gateway_failure, 0u);
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 5u);
  report(0, 504, 4);
  EXPECT_FALSE(host(0).outlierEjected());
  report(0, 502);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_enforced_consecutive_gateway_failure, 1u);
  ASSERT_EQ(listener_.events.size(), 1u);
  EXPECT_EQ(listener_.events[0].type, OutlierEjectionType::ConsecutiveGatewayFailure);
}

TEST_F(OutlierDetectorTest, RefusedEjectionResetsCounterSoAnotherFullRunIsNeeded) {
  auto& d = create(9, {});  // 100·1/9 > 10: the strict gate refuses
  report(0, 500, 5);
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 1u);
  EXPECT_EQ(stats_.outlier_ejections_overflow, 1u);
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 0u);
  report(0, 500, 4);
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 1u);
  report(0, 500);
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 2u);
  EXPECT_EQ(stats_.outlier_ejections_overflow, 2u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_total, 0u);
  EXPECT_TRUE(listener_.events.empty());
}

TEST_F(OutlierDetectorTest, EnforcementPercentageIsOneDrawModulo100) {
  OutlierDetectionConfig config;
  config.enforcing_consecutive_5xx = 50;
  auto& d = create(10, config);
  random_.push(250);  // 250 % 100 = 50, not < 50: refused
  random_.push(149);  // 49 < 50: enforced
  report(0, 500, 5);
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(random_.draws(), 1u);
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 0u);
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 1u);
  EXPECT_EQ(stats_.outlier_ejections_overflow, 0u);
  report(0, 500, 5);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_EQ(random_.draws(), 2u);
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 2u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_consecutive_5xx, 1u);
}

TEST_F(OutlierDetectorTest, ErrorsWhileEjectedDoNotRedetectAndAreClearedOnUneject) {
  auto& d = create(10, {});
  report(0, 500, 5);
  ASSERT_TRUE(host(0).outlierEjected());
  report(0, 500, 7);  // panic-mode traffic still reaches the host
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 7u);
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 1u);
  loop_.advance(30s);
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 0u);
  report(0, 500, 4);
  EXPECT_FALSE(host(0).outlierEjected());
}

// --- ejection gate (§4.4, §10 item 12) ----------------------------------------------------------

TEST_F(OutlierDetectorTest, StrictGateTenPercentWithNineHostsNeverEjects) {
  create(9, {});
  for (std::uint32_t h = 0; h < 9; ++h) {
    report(h, 500, 5);
  }
  EXPECT_EQ(stats_.outlier_ejections_overflow, 9u);
  EXPECT_EQ(stats_.outlier_ejections_active, 0u);
}

TEST_F(OutlierDetectorTest, StrictGateTenPercentWithTenHostsEjectsOne) {
  create(10, {});
  report(0, 500, 5);
  report(1, 500, 5);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_FALSE(host(1).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_overflow, 1u);
  EXPECT_EQ(stats_.outlier_ejections_active, 1u);
}

TEST_F(OutlierDetectorTest, AlwaysEjectOneHostAllowsTheFirstOnly) {
  OutlierDetectionConfig config;
  config.always_eject_one_host = true;
  create(9, config);
  report(0, 500, 5);
  report(1, 500, 5);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_FALSE(host(1).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_overflow, 1u);
}

TEST_F(OutlierDetectorTest, GateBoundaryIsInclusive) {
  OutlierDetectionConfig config;
  config.max_ejection_percent = 40;
  create(5, config);  // 20 %, 40 % allowed; 60 % refused
  report(0, 500, 5);
  report(1, 500, 5);
  report(2, 500, 5);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_TRUE(host(1).outlierEjected());
  EXPECT_FALSE(host(2).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_active, 2u);
  EXPECT_EQ(stats_.outlier_ejections_overflow, 1u);
}

TEST_F(OutlierDetectorTest, IstioDefaultBlockOnFiveEndpointsNeverEjects) {
  const auto istio = translateIstioOutlierDetection({});
  create(5, istio.outlier);
  report(0, 500, 50);
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_detected_consecutive_5xx, 10u);
  EXPECT_EQ(stats_.outlier_ejections_overflow, 10u);
}

// --- ejection duration, back-off and interval ticks (§4.4, §10 item 13) ------------------------

TEST_F(OutlierDetectorTest, UnejectionOnlyOnTicks) {
  create(10, {});
  loop_.advance(5s);
  report(0, 500, 5);
  ASSERT_TRUE(host(0).outlierEjected());
  // Ticks at 10, 20, 30 s: 25 s elapsed at the 30 s tick, short of 30 s.
  loop_.advanceTo(at(39'999ms));
  EXPECT_TRUE(host(0).outlierEjected());
  loop_.advanceTo(at(40s));
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_active, 0u);
  ASSERT_EQ(listener_.events.size(), 2u);
  EXPECT_EQ(listener_.events[1], (Event{false, 0, OutlierEjectionType::Consecutive5xx, at(40s)}));
}

TEST_F(OutlierDetectorTest, EjectionAtTimeZeroReturnsAtTheThirtySecondTick) {
  create(10, {});
  report(0, 500, 5);
  loop_.advanceTo(at(29s));
  EXPECT_TRUE(host(0).outlierEjected());
  loop_.advanceTo(at(30s));
  EXPECT_FALSE(host(0).outlierEjected());
}

TEST_F(OutlierDetectorTest, SecondEjectionLastsTwiceBaseAndMultiplierDecaysPerHealthyInterval) {
  auto& d = create(10, {});
  loop_.advance(5s);
  report(0, 500, 5);
  loop_.advanceTo(at(40s));
  ASSERT_FALSE(host(0).outlierEjected());
  // No decay on the tick that unejected it: it has not been healthy for a whole interval.
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 1u);

  report(0, 500, 5);  // second ejection at t = 40 s
  ASSERT_TRUE(host(0).outlierEjected());
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 2u);
  EXPECT_EQ(d.monitor(host(0)).num_ejections, 2u);
  loop_.advanceTo(at(90s));  // 50 s elapsed
  EXPECT_TRUE(host(0).outlierEjected());
  loop_.advanceTo(at(100s));  // 60 s = 2 × base
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 2u);

  loop_.advanceTo(at(110s));
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 1u);
  loop_.advanceTo(at(120s));
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 0u);
  loop_.advanceTo(at(130s));
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 0u);

  loop_.advanceTo(at(135s));
  report(0, 500, 5);  // fully decayed: back to 1 × base
  EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, 1u);
  loop_.advanceTo(at(160s));  // 25 s
  EXPECT_TRUE(host(0).outlierEjected());
  loop_.advanceTo(at(170s));  // 35 s
  EXPECT_FALSE(host(0).outlierEjected());
}

TEST_F(OutlierDetectorTest, EjectionTimeCappedAtMaxEjectionTime) {
  OutlierDetectionConfig config;
  config.interval = 1s;
  config.base_ejection_time = 10s;
  config.max_ejection_time = 25s;
  auto& d = create(10, config);
  // backoff grows while backoff·base < max + base (35 s): 1, 2, 3, 4, then stays 4.
  const std::vector<Duration> expected_duration = {10s, 20s, 25s, 25s, 25s};
  const std::vector<std::uint32_t> expected_backoff = {1, 2, 3, 4, 4};
  for (std::size_t k = 0; k < expected_duration.size(); ++k) {
    const MonotonicTime ejected_at = loop_.now();
    report(0, 500, 5);
    ASSERT_TRUE(host(0).outlierEjected());
    EXPECT_EQ(d.monitor(host(0)).eject_time_backoff, expected_backoff[k]);
    while (host(0).outlierEjected()) {
      loop_.advance(1s);
    }
    EXPECT_EQ(loop_.now() - ejected_at, expected_duration[k]) << "ejection " << k + 1;
  }
}

TEST_F(OutlierDetectorTest, JitterIsDrawnInMillisecondsAndAddedToTheDuration) {
  OutlierDetectionConfig config;
  config.max_ejection_time_jitter = 5s;
  auto& d = create(10, config);
  random_.push(2500 + 5001);  // % 5001 => 2500 ms
  report(0, 500, 5);
  EXPECT_EQ(random_.draws(), 1u);
  EXPECT_EQ(d.monitor(host(0)).jitter, 2500ms);
  loop_.advanceTo(at(30s));  // 30 s < 32.5 s
  EXPECT_TRUE(host(0).outlierEjected());
  loop_.advanceTo(at(40s));
  EXPECT_FALSE(host(0).outlierEjected());
}

TEST_F(OutlierDetectorTest, IntervalTimerIsRearmedWithoutJitter) {
  create(10, {});
  EXPECT_EQ(loop_.armedTimers(), 1u);
  EXPECT_EQ(loop_.advance(10s), 1u);
  EXPECT_EQ(loop_.advance(9'999ms), 0u);
  EXPECT_EQ(loop_.advance(1ms), 1u);
  EXPECT_EQ(loop_.armedTimers(), 1u);
}

// --- success rate and failure percentage (§4.4) -------------------------------------------------

// Envoy's own worked example: success rates {50, 100, 100, 100, 100} ⇒ mean 90, population stdev
// 20, threshold 90 − 1.9·20 = 52 ⇒ the 50 % host is an outlier.
class SuccessRateTest : public OutlierDetectorTest {
 protected:
  void fillInterval(std::uint32_t requests_per_host = 100, std::uint32_t last_host_requests = 100) {
    for (std::uint32_t h = 0; h < 5; ++h) {
      const std::uint32_t n = h == 4 ? last_host_requests : requests_per_host;
      for (std::uint32_t i = 0; i < n; ++i) {
        // Host 0 alternates so it never has a consecutive-5xx run.
        report(h, h == 0 && i % 2 == 1 ? 500 : 200);
      }
    }
  }
};

TEST_F(SuccessRateTest, WorkedExampleEjectsTheOutlier) {
  OutlierDetectionConfig config;
  config.max_ejection_percent = 20;
  auto& d = create(5, config);
  fillInterval();
  loop_.advanceTo(at(10s));
  EXPECT_DOUBLE_EQ(d.successRateAverage(), 90.0);
  EXPECT_DOUBLE_EQ(d.successRateEjectionThreshold(), 52.0);
  EXPECT_TRUE(host(0).outlierEjected());
  for (std::uint32_t h = 1; h < 5; ++h) {
    EXPECT_FALSE(host(h).outlierEjected());
  }
  EXPECT_EQ(stats_.outlier_ejections_detected_success_rate, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_success_rate, 1u);
  ASSERT_EQ(listener_.events.size(), 1u);
  EXPECT_EQ(listener_.events[0], (Event{true, 0, OutlierEjectionType::SuccessRate, at(10s)}));
}

TEST_F(SuccessRateTest, DefaultMaxEjectionPercentRefusesItOnFiveHosts) {
  create(5, {});
  fillInterval();
  loop_.advanceTo(at(10s));
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_detected_success_rate, 1u);
  EXPECT_EQ(stats_.outlier_ejections_overflow, 1u);
}

TEST_F(SuccessRateTest, IstioDisablesSuccessRateEnforcement) {
  OutlierDetectionConfig config = translateIstioOutlierDetection({}).outlier;
  config.max_ejection_percent = 100;
  create(5, config);
  fillInterval();
  loop_.advanceTo(at(10s));
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_detected_success_rate, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_success_rate, 0u);
}

TEST_F(SuccessRateTest, HostBelowRequestVolumeIsLeftOutAndTooFewHostsRemain) {
  OutlierDetectionConfig config;
  config.max_ejection_percent = 100;
  auto& d = create(5, config);
  fillInterval(100, /*last_host_requests=*/99);
  loop_.advanceTo(at(10s));
  EXPECT_EQ(d.successRateAverage(), -1.0);
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_detected_success_rate, 0u);
}

TEST_F(SuccessRateTest, ReadsOnlyTheIntervalThatJustEnded) {
  OutlierDetectionConfig config;
  config.max_ejection_percent = 20;
  auto& d = create(5, config);
  loop_.advanceTo(at(5s));
  fillInterval();  // in [0 s, 10 s)
  loop_.advanceTo(at(10s));
  ASSERT_TRUE(host(0).outlierEjected());
  loop_.advanceTo(at(20s));  // nothing reported in [10 s, 20 s)
  EXPECT_EQ(d.successRateAverage(), -1.0);
  EXPECT_EQ(d.monitor(host(1)).external_previous.total, 0u);
}

TEST_F(OutlierDetectorTest, FailurePercentageEjection) {
  OutlierDetectionConfig config;
  config.enforcing_failure_percentage = 100;
  config.enforcing_success_rate = 0;
  config.max_ejection_percent = 100;
  config.consecutive_5xx = 1000;
  create(5, config);
  // 50 requests each (failure-percentage volume); host 0 fails 43/50 = 86 %, host 1 42/50 = 84 %.
  for (std::uint32_t h = 0; h < 5; ++h) {
    const int failures = h == 0 ? 43 : h == 1 ? 42 : 0;
    report(h, 500, failures);
    report(h, 200, 50 - failures);
  }
  loop_.advanceTo(at(10s));
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_FALSE(host(1).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_detected_failure_percentage, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_failure_percentage, 1u);
  // 50 requests are below the success-rate volume of 100: no success-rate statistics.
  EXPECT_EQ(detector_->successRateAverage(), -1.0);
  ASSERT_EQ(listener_.events.size(), 1u);
  EXPECT_EQ(listener_.events[0].type, OutlierEjectionType::FailurePercentage);
}

TEST_F(OutlierDetectorTest, FailurePercentageDetectedButNotEnforcedByDefault) {
  OutlierDetectionConfig config;
  config.max_ejection_percent = 100;
  config.consecutive_5xx = 1000;
  create(5, config);
  for (std::uint32_t h = 0; h < 5; ++h) {
    report(h, h == 0 ? 500 : 200, 50);
  }
  loop_.advanceTo(at(10s));
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_detected_failure_percentage, 1u);
  EXPECT_EQ(stats_.outlier_ejections_enforced_failure_percentage, 0u);
}

// --- local-origin results (§4.2) -------------------------------------------------------------

TEST_F(OutlierDetectorTest, NonSplitModeMapsConnectFailureTo503AndTimeoutTo504) {
  auto& d = create(10, {});
  d.putResult(host(0), OutlierResult::LocalOriginConnectSuccess);  // ignored
  EXPECT_EQ(d.monitor(host(0)).external_current.total, 0u);
  d.putResult(host(0), OutlierResult::LocalOriginConnectFailed);
  d.putResult(host(0), OutlierResult::LocalOriginTimeout);
  EXPECT_EQ(d.monitor(host(0)).consecutive_gateway_failure, 2u);
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 2u);
  d.putResult(host(0), OutlierResult::LocalOriginConnectFailed);
  d.putResult(host(0), OutlierResult::LocalOriginTimeout);
  EXPECT_FALSE(host(0).outlierEjected());
  d.putResult(host(0), OutlierResult::LocalOriginConnectFailed);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_EQ(d.monitor(host(0)).external_current.total, 5u);
  EXPECT_EQ(d.monitor(host(0)).local_current.total, 0u);
}

TEST_F(OutlierDetectorTest, SplitModeCountsLocalOriginFailuresSeparately) {
  OutlierDetectionConfig config;
  config.split_external_local_origin_errors = true;
  auto& d = create(10, config);
  d.putResult(host(0), OutlierResult::LocalOriginConnectFailed);
  d.putResult(host(0), OutlierResult::LocalOriginTimeout);
  report(0, 500, 4);  // HTTP 5xx do not break or extend the local-origin run
  EXPECT_EQ(d.monitor(host(0)).consecutive_local_origin_failure, 2u);
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 4u);
  d.putResult(host(0), OutlierResult::LocalOriginConnectSuccess);  // resets the local run
  EXPECT_EQ(d.monitor(host(0)).consecutive_local_origin_failure, 0u);
  EXPECT_EQ(d.monitor(host(0)).consecutive_5xx, 4u);
  for (int i = 0; i < 4; ++i) {
    d.putResult(host(0), OutlierResult::LocalOriginConnectFailed);
  }
  EXPECT_FALSE(host(0).outlierEjected());
  d.putResult(host(0), OutlierResult::LocalOriginTimeout);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_enforced_consecutive_local_origin_failure, 1u);
  EXPECT_EQ(d.monitor(host(0)).local_current.total, 8u);
  EXPECT_EQ(d.monitor(host(0)).local_current.success, 1u);
  EXPECT_EQ(d.monitor(host(0)).external_current.total, 4u);
  ASSERT_EQ(listener_.events.size(), 1u);
  EXPECT_EQ(listener_.events[0].type, OutlierEjectionType::ConsecutiveLocalOriginFailure);
}

// --- host set changes, listeners, active health checks ------------------------------------------

TEST_F(OutlierDetectorTest, AddingHostsOpensTheGate) {
  auto& d = create(9, {});
  report(0, 500, 5);
  EXPECT_FALSE(host(0).outlierEjected());
  makeHosts(1);  // a tenth replica comes up
  d.setHosts(hosts_);
  EXPECT_EQ(d.monitoredHosts(), 10u);
  report(0, 500, 5);
  EXPECT_TRUE(host(0).outlierEjected());
}

TEST_F(OutlierDetectorTest, RemovingAnEjectedHostReleasesTheGauge) {
  auto& d = create(10, {});
  report(3, 500, 4);
  report(0, 500, 5);
  ASSERT_EQ(stats_.outlier_ejections_active, 1u);
  std::vector<Host*> remaining(hosts_.begin() + 1, hosts_.end());
  d.setHosts(remaining);
  EXPECT_EQ(d.monitoredHosts(), 9u);
  EXPECT_EQ(d.ejectionsActive(), 0u);
  EXPECT_EQ(stats_.outlier_ejections_active, 0u);
  EXPECT_EQ(d.monitor(host(3)).consecutive_5xx, 4u);  // survivors keep their state
  loop_.advance(60s);                                 // no tick touches the removed host
  EXPECT_EQ(listener_.events.size(), 1u);
}

TEST_F(OutlierDetectorTest, RemovedListenerIsNotCalled) {
  auto& d = create(10, {});
  d.removeListener(listener_);
  report(0, 500, 5);
  EXPECT_TRUE(host(0).outlierEjected());
  EXPECT_TRUE(listener_.events.empty());
}

TEST_F(OutlierDetectorTest, ActiveHealthCheckSuccessUnejects) {
  auto& d = create(10, {});
  report(0, 500, 5);
  loop_.advance(3s);
  d.onActiveHealthCheckSuccess(host(0));
  EXPECT_FALSE(host(0).outlierEjected());
  EXPECT_EQ(stats_.outlier_ejections_active, 0u);
  EXPECT_EQ(d.monitor(host(0)).last_unejection_time, at(3s));
  ASSERT_EQ(listener_.events.size(), 2u);
  EXPECT_FALSE(listener_.events[1].ejected);
}

TEST_F(OutlierDetectorTest, DestructionReleasesTheGauge) {
  create(10, {});
  report(0, 500, 5);
  ASSERT_EQ(stats_.outlier_ejections_active, 1u);
  detector_.reset();
  EXPECT_EQ(stats_.outlier_ejections_active, 0u);
  EXPECT_EQ(loop_.armedTimers(), 0u);
}

}  // namespace
}  // namespace meshsim::core
