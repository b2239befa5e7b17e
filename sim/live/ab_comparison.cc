#include "sim/live/ab_comparison.h"

#include "sim/experiment/replications.h"
#include "sim/experiment/warmup_pilot.h"

namespace meshsim::sim {

std::vector<MetricComparison> compareLiveRuns(const RunSummary& baseline,
                                              const RunSummary& variant) {
  return compareRuns(ReplicatedMetrics({flattenSummary(baseline)}),
                     ReplicatedMetrics({flattenSummary(variant)}));
}

std::optional<std::vector<MetricComparison>> compareReplicated(Variant& a, Variant& b,
                                                               std::size_t replications,
                                                               std::size_t threads,
                                                               const JobProgress& progress,
                                                               const std::atomic<bool>* cancel) {
  // Paired replications must cover the same window: with `warmup: auto` both measure after the
  // larger warm-up, as in `meshsim compare`.
  resolveAutoWarmups({&a, &b}, threads, true);
  const std::vector<ReplicatedMetrics> results =
      runVariants({&a, &b}, replications, threads, progress, cancel);
  if (results.size() != 2) {
    return std::nullopt;
  }
  return compareRuns(results[0], results[1]);
}

}  // namespace meshsim::sim
