#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/live/snapshot.h"

namespace meshsim::sim {

// The figures a live chart plots over simulated time.
enum class LiveMetric {
  kP50Ms,
  kP99Ms,
  kRps,
  kErrorRate,
  kRetries,     // mesh retries (sidecars)
  kAppRetries,  // app-level retries (the callers' own retry loops)
  kAmplification,
  kEjectedHosts,
  kSidecarCpu,
};
inline constexpr LiveMetric kLiveMetrics[] = {
    LiveMetric::kP50Ms,         LiveMetric::kP99Ms,        LiveMetric::kRps,
    LiveMetric::kErrorRate,     LiveMetric::kRetries,      LiveMetric::kAppRetries,
    LiveMetric::kAmplification, LiveMetric::kEjectedHosts, LiveMetric::kSidecarCpu};

std::string_view liveMetricName(LiveMetric metric);
// Whether the mesh records the metric during the warm-up (sidecar CPU, ejections); the others
// have no value in a warm-up snapshot and are not plotted there.
bool recordedDuringWarmup(LiveMetric metric);

// The snapshots of one run in order, kept for replay (scrubbing back through the run) and as the
// data of the charts: value() reads a metric mesh-wide or for one service.
class RunHistory {
 public:
  void clear() { snapshots_.clear(); }
  void append(Snapshot snapshot) { snapshots_.push_back(std::move(snapshot)); }
  std::size_t size() const { return snapshots_.size(); }
  bool empty() const { return snapshots_.empty(); }
  const Snapshot& at(std::size_t i) const { return snapshots_.at(i); }
  const Snapshot& back() const { return snapshots_.back(); }

  // Mesh-wide (end-to-end where that applies) or, with `service`, that service's figure.
  static double value(const Snapshot& snapshot, LiveMetric metric,
                      std::optional<std::size_t> service = std::nullopt);
  // (end of interval in seconds, value) for every snapshot that has the metric (see
  // recordedDuringWarmup).
  std::vector<std::pair<double, double>> points(
      LiveMetric metric, std::optional<std::size_t> service = std::nullopt) const;
  // The snapshot whose interval ends at `end_seconds` (within a microsecond), or nullptr.
  const Snapshot* atTime(double end_seconds) const;
  // The warm-up's end in seconds (the end of the last warm-up snapshot; 0 without one).
  double warmupEndSeconds() const;

 private:
  std::vector<Snapshot> snapshots_;
};

// One row of the live A/B panel: a metric of the baseline's and of this run's interval ending at
// the same simulated time. Replication 0 of both runs shares its random streams, so B - A is the
// policy change's effect in that interval (one interval, no interval estimate).
struct LiveDifference {
  LiveMetric metric;
  double a;
  double b;
  double difference;  // b - a
};
// Every LiveMetric recorded in `b` (see recordedDuringWarmup), against the baseline's snapshot
// ending at the same time; empty when the baseline has none (it was pinned earlier, or its
// intervals differ).
std::vector<LiveDifference> liveDifference(const RunHistory& baseline, const Snapshot& b);

}  // namespace meshsim::sim
