// Implements proxy-semantics.md §4.2-§4.4.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/common/event_loop.h"
#include "core/common/random.h"
#include "core/common/time.h"
#include "core/outlier/outlier_detection_config.h"
#include "core/stats/cluster_stats.h"
#include "core/upstream/host.h"

namespace meshsim::core {

// Envoy's envoy.data.cluster.v3.OutlierEjectionType, minus the extension type.
enum class OutlierEjectionType : std::uint8_t {
  Consecutive5xx,
  ConsecutiveGatewayFailure,
  ConsecutiveLocalOriginFailure,
  SuccessRate,
  SuccessRateLocalOrigin,
  FailurePercentage,
  FailurePercentageLocalOrigin,
};

// Non-HTTP results the router reports per attempt (proxy-semantics §4.2; Envoy's Outlier::Result).
enum class OutlierResult : std::uint8_t {
  // Connection attached (pool ready); HTTP status follows separately. Ignored unless split mode.
  LocalOriginConnectSuccess,
  // Connection-level success that is also the final result (non-HTTP protocols).
  LocalOriginConnectSuccessFinal,
  // Upstream reset or connect failure (never pool overflow, which reports nothing).
  LocalOriginConnectFailed,
  // Per-try timeout, route timeout while awaiting headers, hedged soft timeout.
  LocalOriginTimeout,
  ExtOriginRequestFailed,
  ExtOriginRequestSuccess,
};

// Told about every ejection and unejection, so connection pools can drain a host's connections and
// load balancers can rebuild their healthy sets (§4.5). Called synchronously from the detector.
class OutlierEventListener {
 public:
  virtual ~OutlierEventListener() = default;
  virtual void onHostEjected(Host& host, OutlierEjectionType type) = 0;
  virtual void onHostUnejected(Host& host) = 0;
};

// Envoy's Outlier::DetectorImpl for one cluster (proxy-semantics §4.2-§4.4): per-host consecutive
// error counters and success-rate buckets, the ejection gate, ejection back-off, and the interval
// timer that unejects hosts and runs success-rate / failure-percentage detection.
//
// Simplifications, deliberate:
//  * Envoy detects consecutive errors on worker threads and posts the ejection to the main thread.
//    Here the ejection happens immediately, inside the putHttpResponseCode()/putResult() call that
//    reached the threshold (same simulated instant). Listeners may therefore run re-entrantly from
//    a result report.
//  * Envoy keeps its monitors in a hash map, so the order in which hosts are visited on an interval
//    tick is unspecified; here it is ascending Host::index(). The order only matters when the
//    max-ejection-percent gate lets some but not all success-rate outliers through.
//  * Envoy draws the ejection jitter (`random() % (jitter_ms + 1)`) on every enforced ejection;
//    here the draw is skipped when max_ejection_time_jitter is 0 (it would always be 0).
class OutlierDetector {
 public:
  // Read-only view of a host's monitor (Envoy's DetectorHostMonitor), for tests, admin output and
  // the GUI.
  struct SuccessRateBucket {
    std::uint64_t success = 0;
    std::uint64_t total = 0;
  };
  struct HostMonitor {
    Host* host = nullptr;
    std::uint32_t consecutive_5xx = 0;
    std::uint32_t consecutive_gateway_failure = 0;
    std::uint32_t consecutive_local_origin_failure = 0;
    std::uint32_t num_ejections = 0;
    // Envoy's ejectTimeBackoff: the current ejection lasts min(base * backoff, max) + jitter.
    std::uint32_t eject_time_backoff = 0;
    std::optional<MonotonicTime> last_ejection_time;
    std::optional<MonotonicTime> last_unejection_time;
    Duration jitter{0};
    // Success-rate accumulation: `current` is written, `previous` (the interval that just ended)
    // is read by detection.
    SuccessRateBucket external_current;
    SuccessRateBucket external_previous;
    SuccessRateBucket local_current;
    SuccessRateBucket local_previous;
  };

  // `config` must be valid (OutlierDetectionConfig::validate() empty). The interval timer is armed
  // immediately.
  OutlierDetector(EventLoop& loop, RandomGenerator& random, const OutlierDetectionConfig& config,
                  ClusterStats& stats, std::span<Host* const> hosts);
  ~OutlierDetector();
  OutlierDetector(const OutlierDetector&) = delete;
  OutlierDetector& operator=(const OutlierDetector&) = delete;

  void addListener(OutlierEventListener& listener);
  void removeListener(OutlierEventListener& listener);

  // Replaces the monitored host set (endpoint update, replica crash/restart). Hosts present before
  // and after (same Host object) keep their state; removed hosts that were ejected leave the
  // ejections_active gauge, as in Envoy's member-update callback (their flag is not touched and no
  // listener is called: the host is gone).
  void setHosts(std::span<Host* const> hosts);

  // Per-attempt reports (§4.2). `host` must be a monitored host.
  void putHttpResponseCode(Host& host, std::uint32_t code);
  void putResult(Host& host, OutlierResult result);

  // A passing active health check unejects an outlier-ejected host when
  // successful_active_health_check_uneject_host is set (Envoy's addHostCheckCompleteCb).
  void onActiveHealthCheckSuccess(Host& host);

  const OutlierDetectionConfig& config() const { return config_; }
  const HostMonitor& monitor(const Host& host) const { return monitors_[host.index()]; }
  std::uint32_t monitoredHosts() const { return monitored_hosts_; }
  std::uint64_t ejectionsActive() const { return ejections_active_; }

  // Success-rate statistics of the last interval (Envoy's successRateAverage /
  // successRateEjectionThreshold); -1 when not computed (too few hosts or requests).
  double successRateAverage() const { return external_sr_.first; }
  double successRateEjectionThreshold() const { return external_sr_.second; }
  double localOriginSuccessRateAverage() const { return local_sr_.first; }
  double localOriginSuccessRateEjectionThreshold() const { return local_sr_.second; }

 private:
  enum class Origin : std::uint8_t { External, Local };
  struct HostRate {
    std::uint32_t index;
    double success_rate;
  };

  HostMonitor& monitorFor(const Host& host) { return monitors_[host.index()]; }
  void localOriginFailure(HostMonitor& m);
  void localOriginNoFailure(HostMonitor& m);
  void onConsecutiveError(HostMonitor& m, OutlierEjectionType type);
  void ejectHost(HostMonitor& m, OutlierEjectionType type);
  void unejectHost(HostMonitor& m);
  bool enforced(OutlierEjectionType type);
  void onIntervalTimer();
  void processSuccessRateEjections(Origin origin);

  EventLoop& loop_;
  RandomGenerator& random_;
  const OutlierDetectionConfig config_;
  ClusterStats& stats_;
  TimerPtr interval_timer_;
  // Indexed by Host::index(); entries with host == nullptr are not monitored.
  std::vector<HostMonitor> monitors_;
  std::uint32_t monitored_hosts_ = 0;
  std::uint64_t ejections_active_ = 0;
  std::vector<OutlierEventListener*> listeners_;
  std::pair<double, double> external_sr_{-1.0, -1.0};
  std::pair<double, double> local_sr_{-1.0, -1.0};
  // Scratch for interval processing, kept to avoid allocating on every tick.
  std::vector<HostRate> success_rate_hosts_;
  std::vector<HostRate> failure_percentage_hosts_;
};

}  // namespace meshsim::core
