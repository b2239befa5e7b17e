#include "sim/live/ab_comparison.h"

#include "sim/experiment/replications.h"

namespace meshsim::sim {

std::vector<MetricComparison> compareLiveRuns(const RunSummary& baseline,
                                              const RunSummary& variant) {
  return compareRuns(ReplicatedMetrics({flattenSummary(baseline)}),
                     ReplicatedMetrics({flattenSummary(variant)}));
}

}  // namespace meshsim::sim
