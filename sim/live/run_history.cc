#include "sim/live/run_history.h"

#include <algorithm>
#include <cmath>

namespace meshsim::sim {

std::string_view liveMetricName(LiveMetric metric) {
  switch (metric) {
    case LiveMetric::kP50Ms:
      return "p50 (ms)";
    case LiveMetric::kP99Ms:
      return "p99 (ms)";
    case LiveMetric::kRps:
      return "rps";
    case LiveMetric::kErrorRate:
      return "error rate";
    case LiveMetric::kRetries:
      return "mesh retries";
    case LiveMetric::kAppRetries:
      return "app retries";
    case LiveMetric::kAmplification:
      return "amplification";
    case LiveMetric::kEjectedHosts:
      return "ejected replicas";
    case LiveMetric::kSidecarCpu:
      return "sidecar CPU (cores)";
  }
  return "";
}

double RunHistory::value(const Snapshot& snapshot, LiveMetric metric,
                         std::optional<std::size_t> service) {
  if (service) {
    const ServiceSnapshot& s = snapshot.services.at(*service);
    switch (metric) {
      case LiveMetric::kP50Ms:
        return s.p50_ms;
      case LiveMetric::kP99Ms:
        return s.p99_ms;
      case LiveMetric::kRps:
        return s.rps;
      case LiveMetric::kErrorRate:
        return s.error_rate;
      case LiveMetric::kRetries:
        return static_cast<double>(s.retries);
      case LiveMetric::kAppRetries:
        return static_cast<double>(s.app_retries);
      case LiveMetric::kAmplification: {
        // Attempts per call into this service, over its incoming edges.
        double attempts = 0;
        double calls = 0;
        for (const EdgeSnapshot& edge : snapshot.edges) {
          if (edge.to == *service && edge.amplification > 0) {
            calls += edge.rps;
            attempts += edge.rps * edge.amplification;
          }
        }
        return calls == 0 ? 0.0 : attempts / calls;
      }
      case LiveMetric::kEjectedHosts: {
        double ejected = 0;
        for (const std::uint32_t n : s.ejected) {
          ejected += n;
        }
        return ejected;
      }
      case LiveMetric::kSidecarCpu:
        return s.sidecar_cpu_cores;
    }
    return 0;
  }
  switch (metric) {
    case LiveMetric::kP50Ms:
      return snapshot.p50_ms;
    case LiveMetric::kP99Ms:
      return snapshot.p99_ms;
    case LiveMetric::kRps:
      return snapshot.rps;
    case LiveMetric::kErrorRate:
      return snapshot.error_rate;
    case LiveMetric::kRetries:
      return static_cast<double>(snapshot.retries);
    case LiveMetric::kAppRetries:
      return static_cast<double>(snapshot.app_retries);
    case LiveMetric::kAmplification:
      return snapshot.amplification;
    case LiveMetric::kEjectedHosts:
      return snapshot.ejected_hosts;
    case LiveMetric::kSidecarCpu:
      return snapshot.sidecar_cpu_cores;
  }
  return 0;
}

bool recordedDuringWarmup(LiveMetric metric) {
  return metric == LiveMetric::kEjectedHosts || metric == LiveMetric::kSidecarCpu;
}

std::vector<std::pair<double, double>> RunHistory::points(
    LiveMetric metric, std::optional<std::size_t> service) const {
  std::vector<std::pair<double, double>> out;
  out.reserve(snapshots_.size());
  for (const Snapshot& snapshot : snapshots_) {
    if (!snapshot.warmup || recordedDuringWarmup(metric)) {
      out.emplace_back(snapshot.endSeconds(), value(snapshot, metric, service));
    }
  }
  return out;
}

const Snapshot* RunHistory::atTime(double end_seconds) const {
  const auto it = std::lower_bound(
      snapshots_.begin(), snapshots_.end(), end_seconds - 1e-6,
      [](const Snapshot& snapshot, double t) { return snapshot.endSeconds() < t; });
  return it != snapshots_.end() && std::abs(it->endSeconds() - end_seconds) <= 1e-6 ? &*it
                                                                                    : nullptr;
}

double RunHistory::warmupEndSeconds() const {
  double end = 0;
  for (const Snapshot& snapshot : snapshots_) {
    if (!snapshot.warmup) {
      break;
    }
    end = snapshot.endSeconds();
  }
  return end;
}

std::vector<LiveDifference> liveDifference(const RunHistory& baseline, const Snapshot& b) {
  std::vector<LiveDifference> out;
  const Snapshot* a = baseline.atTime(b.endSeconds());
  if (a == nullptr) {
    return out;
  }
  for (const LiveMetric metric : kLiveMetrics) {
    if ((a->warmup || b.warmup) && !recordedDuringWarmup(metric)) {
      continue;
    }
    const double va = RunHistory::value(*a, metric);
    const double vb = RunHistory::value(b, metric);
    out.push_back({metric, va, vb, vb - va});
  }
  return out;
}

}  // namespace meshsim::sim
