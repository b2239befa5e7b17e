#include "core/outlier/outlier_detector.h"

#include <algorithm>
#include <cmath>

namespace meshsim::core {

namespace {

using StatField = std::uint64_t ClusterStats::*;

StatField detectedStat(OutlierEjectionType type) {
  switch (type) {
    case OutlierEjectionType::Consecutive5xx:
      return &ClusterStats::outlier_ejections_detected_consecutive_5xx;
    case OutlierEjectionType::ConsecutiveGatewayFailure:
      return &ClusterStats::outlier_ejections_detected_consecutive_gateway_failure;
    case OutlierEjectionType::ConsecutiveLocalOriginFailure:
      return &ClusterStats::outlier_ejections_detected_consecutive_local_origin_failure;
    case OutlierEjectionType::SuccessRate:
      return &ClusterStats::outlier_ejections_detected_success_rate;
    case OutlierEjectionType::SuccessRateLocalOrigin:
      return &ClusterStats::outlier_ejections_detected_local_origin_success_rate;
    case OutlierEjectionType::FailurePercentage:
      return &ClusterStats::outlier_ejections_detected_failure_percentage;
    case OutlierEjectionType::FailurePercentageLocalOrigin:
      return &ClusterStats::outlier_ejections_detected_local_origin_failure_percentage;
  }
  return &ClusterStats::outlier_ejections_detected_consecutive_5xx;
}

StatField enforcedStat(OutlierEjectionType type) {
  switch (type) {
    case OutlierEjectionType::Consecutive5xx:
      return &ClusterStats::outlier_ejections_enforced_consecutive_5xx;
    case OutlierEjectionType::ConsecutiveGatewayFailure:
      return &ClusterStats::outlier_ejections_enforced_consecutive_gateway_failure;
    case OutlierEjectionType::ConsecutiveLocalOriginFailure:
      return &ClusterStats::outlier_ejections_enforced_consecutive_local_origin_failure;
    case OutlierEjectionType::SuccessRate:
      return &ClusterStats::outlier_ejections_enforced_success_rate;
    case OutlierEjectionType::SuccessRateLocalOrigin:
      return &ClusterStats::outlier_ejections_enforced_local_origin_success_rate;
    case OutlierEjectionType::FailurePercentage:
      return &ClusterStats::outlier_ejections_enforced_failure_percentage;
    case OutlierEjectionType::FailurePercentageLocalOrigin:
      return &ClusterStats::outlier_ejections_enforced_local_origin_failure_percentage;
  }
  return &ClusterStats::outlier_ejections_enforced_consecutive_5xx;
}

constexpr bool is5xx(std::uint32_t code) {
  return code >= 500 && code <= 599;
}
constexpr bool isGatewayError(std::uint32_t code) {
  return code >= 502 && code <= 504;
}

}  // namespace

OutlierDetector::OutlierDetector(EventLoop& loop, RandomGenerator& random,
                                 const OutlierDetectionConfig& config, ClusterStats& stats,
                                 std::span<Host* const> hosts)
    : loop_(loop),
      random_(random),
      config_(config),
      stats_(stats),
      interval_timer_(loop.createTimer(Callback::member<&OutlierDetector::onIntervalTimer>(this))) {
  setHosts(hosts);
  interval_timer_->enable(config_.interval);
}

OutlierDetector::~OutlierDetector() {
  // Envoy's detector destructor: the gauge must not keep counting ejections nobody will undo.
  stats_.outlier_ejections_active -= ejections_active_;
}

void OutlierDetector::addListener(OutlierEventListener& listener) {
  listeners_.push_back(&listener);
}

void OutlierDetector::removeListener(OutlierEventListener& listener) {
  std::erase(listeners_, &listener);
}

void OutlierDetector::setHosts(std::span<Host* const> hosts) {
  std::size_t size = 0;
  for (Host* host : hosts) {
    size = std::max<std::size_t>(size, host->index() + 1);
  }
  std::vector<Host*> incoming(size, nullptr);
  for (Host* host : hosts) {
    incoming[host->index()] = host;
  }

  for (std::size_t i = 0; i < monitors_.size(); ++i) {
    HostMonitor& m = monitors_[i];
    if (m.host == nullptr || (i < incoming.size() && incoming[i] == m.host)) {
      continue;
    }
    if (m.host->outlierEjected()) {
      --ejections_active_;
      --stats_.outlier_ejections_active;
    }
    m = HostMonitor{};
  }
  monitors_.resize(size);

  monitored_hosts_ = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (incoming[i] == nullptr) {
      continue;
    }
    if (monitors_[i].host != incoming[i]) {
      monitors_[i] = HostMonitor{};
      monitors_[i].host = incoming[i];
    }
    ++monitored_hosts_;
  }
}

// proxy-semantics §4.3 (Envoy DetectorHostMonitorImpl::putHttpResponseCode). Detection fires on
// equality only: once past the threshold (e.g. while the host is already ejected) the counter keeps
// growing without firing until something resets it.
void OutlierDetector::putHttpResponseCode(Host& host, std::uint32_t code) {
  HostMonitor& m = monitorFor(host);
  ++m.external_current.total;
  if (is5xx(code)) {
    if (isGatewayError(code)) {
      if (++m.consecutive_gateway_failure == config_.consecutive_gateway_failure) {
        onConsecutiveError(m, OutlierEjectionType::ConsecutiveGatewayFailure);
      }
    } else {
      m.consecutive_gateway_failure = 0;
    }
    if (++m.consecutive_5xx == config_.consecutive_5xx) {
      onConsecutiveError(m, OutlierEjectionType::Consecutive5xx);
    }
  } else {
    ++m.external_current.success;
    m.consecutive_5xx = 0;
    m.consecutive_gateway_failure = 0;
  }
}

// proxy-semantics §4.2: without split mode local-origin results become HTTP codes (connect
// failure 503, timeout 504); with it they feed their own counters and success-rate bucket.
void OutlierDetector::putResult(Host& host, OutlierResult result) {
  if (!config_.split_external_local_origin_errors) {
    switch (result) {
      case OutlierResult::LocalOriginConnectSuccess:
        return;
      case OutlierResult::LocalOriginConnectSuccessFinal:
      case OutlierResult::ExtOriginRequestSuccess:
        return putHttpResponseCode(host, 200);
      case OutlierResult::LocalOriginConnectFailed:
        return putHttpResponseCode(host, 503);
      case OutlierResult::LocalOriginTimeout:
        return putHttpResponseCode(host, 504);
      case OutlierResult::ExtOriginRequestFailed:
        return putHttpResponseCode(host, 500);
    }
    return;
  }
  HostMonitor& m = monitorFor(host);
  switch (result) {
    case OutlierResult::LocalOriginConnectSuccess:
    case OutlierResult::LocalOriginConnectSuccessFinal:
      return localOriginNoFailure(m);
    case OutlierResult::LocalOriginConnectFailed:
    case OutlierResult::LocalOriginTimeout:
      return localOriginFailure(m);
    case OutlierResult::ExtOriginRequestFailed:
      return putHttpResponseCode(host, 503);
    case OutlierResult::ExtOriginRequestSuccess:
      putHttpResponseCode(host, 200);
      return localOriginNoFailure(m);
  }
}

void OutlierDetector::localOriginFailure(HostMonitor& m) {
  ++m.local_current.total;
  if (++m.consecutive_local_origin_failure == config_.consecutive_local_origin_failure) {
    onConsecutiveError(m, OutlierEjectionType::ConsecutiveLocalOriginFailure);
  }
}

void OutlierDetector::localOriginNoFailure(HostMonitor& m) {
  ++m.local_current.total;
  ++m.local_current.success;
  m.consecutive_local_origin_failure = 0;
}

// Envoy's onConsecutiveErrorWorker (posted to the main thread there; immediate here). The counter
// is reset whatever ejectHost decided, so a refused ejection needs another full run (§4.3).
void OutlierDetector::onConsecutiveError(HostMonitor& m, OutlierEjectionType type) {
  if (m.host->outlierEjected()) {
    return;
  }
  ++(stats_.*detectedStat(type));
  ejectHost(m, type);
  switch (type) {
    case OutlierEjectionType::Consecutive5xx:
      m.consecutive_5xx = 0;
      break;
    case OutlierEjectionType::ConsecutiveGatewayFailure:
      m.consecutive_gateway_failure = 0;
      break;
    case OutlierEjectionType::ConsecutiveLocalOriginFailure:
      m.consecutive_local_origin_failure = 0;
      break;
    default:
      break;
  }
}

// Envoy featureEnabled(key, pct): 0 and 100 decide without drawing, otherwise one draw
// `random() % 100 < pct` (proxy-semantics §0.1).
bool OutlierDetector::enforced(OutlierEjectionType type) {
  std::uint32_t pct = 0;
  switch (type) {
    case OutlierEjectionType::Consecutive5xx:
      pct = config_.enforcing_consecutive_5xx;
      break;
    case OutlierEjectionType::ConsecutiveGatewayFailure:
      pct = config_.enforcing_consecutive_gateway_failure;
      break;
    case OutlierEjectionType::ConsecutiveLocalOriginFailure:
      pct = config_.enforcing_consecutive_local_origin_failure;
      break;
    case OutlierEjectionType::SuccessRate:
      pct = config_.enforcing_success_rate;
      break;
    case OutlierEjectionType::SuccessRateLocalOrigin:
      pct = config_.enforcing_local_origin_success_rate;
      break;
    case OutlierEjectionType::FailurePercentage:
      pct = config_.enforcing_failure_percentage;
      break;
    case OutlierEjectionType::FailurePercentageLocalOrigin:
      pct = config_.enforcing_failure_percentage_local_origin;
      break;
  }
  pct = std::min<std::uint32_t>(pct, 100);
  if (pct == 0) {
    return false;
  }
  if (pct == 100) {
    return true;
  }
  return random_.random() % 100 < pct;
}

// proxy-semantics §4.4, modern strict gate (Envoy PR #27909, plus #34796's always_eject_one_host):
// eject only if 100·(active+1)/total ≤ max_ejection_percent. Evaluated in integers, which is exact.
void OutlierDetector::ejectHost(HostMonitor& m, OutlierEjectionType type) {
  const std::uint64_t max_percent = std::min<std::uint32_t>(config_.max_ejection_percent, 100);
  bool should_eject = 100 * (ejections_active_ + 1) <= max_percent * monitored_hosts_;
  if (config_.always_eject_one_host) {
    should_eject = should_eject || ejections_active_ == 0;
  }
  if (!should_eject) {
    ++stats_.outlier_ejections_overflow;
    return;
  }
  if (!enforced(type)) {
    return;
  }

  ++ejections_active_;
  ++stats_.outlier_ejections_active;
  ++stats_.outlier_ejections_enforced_total;
  ++(stats_.*enforcedStat(type));

  m.host->setOutlierEjected(true);
  ++m.num_ejections;
  m.last_ejection_time = loop_.now();

  const std::int64_t jitter_ms = toMilliseconds(config_.max_ejection_time_jitter);
  m.jitter = jitter_ms > 0 ? Duration(std::chrono::milliseconds(
                                 random_.random() % static_cast<std::uint64_t>(jitter_ms + 1)))
                           : Duration::zero();

  // The multiplier stops growing once base·backoff reaches max (one step past it, exactly as
  // Envoy writes the test); the duration itself is capped at max in the uneject check.
  const Duration base = config_.base_ejection_time;
  if (static_cast<std::int64_t>(m.eject_time_backoff) * base < config_.maxEjectionTime() + base) {
    ++m.eject_time_backoff;
  }

  for (OutlierEventListener* listener : listeners_) {
    listener->onHostEjected(*m.host, type);
  }
}

void OutlierDetector::unejectHost(HostMonitor& m) {
  --ejections_active_;
  --stats_.outlier_ejections_active;
  m.host->setOutlierEjected(false);
  // Envoy resets every consecutive counter so that a few errors right after unejection do not
  // re-eject a host whose counter was left near its threshold.
  m.consecutive_5xx = 0;
  m.consecutive_gateway_failure = 0;
  m.consecutive_local_origin_failure = 0;
  m.last_unejection_time = loop_.now();
  for (OutlierEventListener* listener : listeners_) {
    listener->onHostUnejected(*m.host);
  }
}

void OutlierDetector::onActiveHealthCheckSuccess(Host& host) {
  if (config_.successful_active_health_check_uneject_host && host.outlierEjected() &&
      !host.activeHealthFailed()) {
    unejectHost(monitorFor(host));
  }
}

// Envoy DetectorImpl::onIntervalTimer, in its source order (code wins over the §4.4 pseudo-code,
// which decrements the multiplier first): uneject due hosts and swap buckets, run success-rate and
// failure-percentage detection, then decrement the multiplier of hosts that have been back for at
// least one whole interval. A host unejected on this tick therefore starts decaying on the next.
void OutlierDetector::onIntervalTimer() {
  const MonotonicTime now = loop_.now();
  const Duration base = config_.base_ejection_time;
  const Duration max = config_.maxEjectionTime();

  for (HostMonitor& m : monitors_) {
    if (m.host == nullptr) {
      continue;
    }
    if (m.host->outlierEjected() && m.last_ejection_time.has_value()) {
      const Duration ejection =
          std::min<Duration>(static_cast<std::int64_t>(m.eject_time_backoff) * base, max) +
          m.jitter;
      if (ejection <= now - *m.last_ejection_time) {
        unejectHost(m);
      }
    }
    m.external_previous = m.external_current;
    m.external_current = {};
    m.local_previous = m.local_current;
    m.local_current = {};
  }

  processSuccessRateEjections(Origin::External);
  processSuccessRateEjections(Origin::Local);

  for (HostMonitor& m : monitors_) {
    if (m.host == nullptr || m.host->outlierEjected() || !m.last_unejection_time.has_value()) {
      continue;
    }
    if (now - *m.last_unejection_time >= config_.interval && m.eject_time_backoff != 0) {
      --m.eject_time_backoff;
    }
  }

  interval_timer_->enable(config_.interval);
}

// proxy-semantics §4.4 (Envoy processSuccessRateEjections): on the interval that just ended,
// non-ejected hosts only; population standard deviation; ejection if sr < mean - factor·stdev, and
// failure-percentage ejection if 100 - sr >= threshold.
void OutlierDetector::processSuccessRateEjections(Origin origin) {
  std::pair<double, double>& sr_nums = origin == Origin::External ? external_sr_ : local_sr_;
  sr_nums = {-1.0, -1.0};
  if (monitored_hosts_ < config_.success_rate_minimum_hosts &&
      monitored_hosts_ < config_.failure_percentage_minimum_hosts) {
    return;
  }

  success_rate_hosts_.clear();
  failure_percentage_hosts_.clear();
  double success_rate_sum = 0;
  for (std::uint32_t i = 0; i < monitors_.size(); ++i) {
    const HostMonitor& m = monitors_[i];
    if (m.host == nullptr || m.host->outlierEjected()) {
      continue;
    }
    const SuccessRateBucket& bucket =
        origin == Origin::External ? m.external_previous : m.local_previous;
    if (bucket.total == 0) {
      continue;
    }
    const double success_rate =
        static_cast<double>(bucket.success) * 100.0 / static_cast<double>(bucket.total);
    if (bucket.total >= config_.success_rate_request_volume) {
      success_rate_hosts_.push_back({i, success_rate});
      success_rate_sum += success_rate;
    }
    if (bucket.total >= config_.failure_percentage_request_volume) {
      failure_percentage_hosts_.push_back({i, success_rate});
    }
  }

  if (!success_rate_hosts_.empty() &&
      success_rate_hosts_.size() >= config_.success_rate_minimum_hosts) {
    const double n = static_cast<double>(success_rate_hosts_.size());
    const double mean = success_rate_sum / n;
    double variance = 0;
    for (const HostRate& h : success_rate_hosts_) {
      variance += (h.success_rate - mean) * (h.success_rate - mean);
    }
    variance /= n;
    const double stdev = std::sqrt(variance);
    const double threshold =
        mean - (static_cast<double>(config_.success_rate_stdev_factor) / 1000.0) * stdev;
    sr_nums = {mean, threshold};
    const OutlierEjectionType type = origin == Origin::External
                                         ? OutlierEjectionType::SuccessRate
                                         : OutlierEjectionType::SuccessRateLocalOrigin;
    for (const HostRate& h : success_rate_hosts_) {
      if (h.success_rate < threshold) {
        ++(stats_.*detectedStat(type));
        ejectHost(monitors_[h.index], type);
      }
    }
  }

  if (!failure_percentage_hosts_.empty() &&
      failure_percentage_hosts_.size() >= config_.failure_percentage_minimum_hosts) {
    const double threshold = static_cast<double>(config_.failure_percentage_threshold);
    const OutlierEjectionType type = origin == Origin::External
                                         ? OutlierEjectionType::FailurePercentage
                                         : OutlierEjectionType::FailurePercentageLocalOrigin;
    for (const HostRate& h : failure_percentage_hosts_) {
      HostMonitor& m = monitors_[h.index];
      // Envoy asserts a host is never ejected twice; a host the success-rate pass just ejected is
      // skipped here instead of being counted again.
      if (m.host->outlierEjected()) {
        continue;
      }
      if (100.0 - h.success_rate >= threshold) {
        ++(stats_.*detectedStat(type));
        ejectHost(m, type);
      }
    }
  }
}

}  // namespace meshsim::core
