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
  kRetries,
  kAmplification,
  kEjectedHosts,
  kSidecarCpu,
};
inline constexpr LiveMetric kLiveMetrics[] = {LiveMetric::kP50Ms,        LiveMetric::kP99Ms,
                                              LiveMetric::kRps,          LiveMetric::kErrorRate,
                                              LiveMetric::kRetries,      LiveMetric::kAmplification,
                                              LiveMetric::kEjectedHosts, LiveMetric::kSidecarCpu};

std::string_view liveMetricName(LiveMetric metric);

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
  // (end of interval in seconds, value) for every snapshot.
  std::vector<std::pair<double, double>> points(
      LiveMetric metric, std::optional<std::size_t> service = std::nullopt) const;

 private:
  std::vector<Snapshot> snapshots_;
};

}  // namespace meshsim::sim
