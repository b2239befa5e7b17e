#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <vector>

#include "sim/experiment/comparison.h"
#include "sim/report/run_summary.h"

namespace meshsim::sim {

// The key metrics of a pinned baseline run and the run after it, with B - A, as `meshsim compare`
// reports them for one replication. Both runs use the scenario's seed and replication 0, so their
// random streams (keyed by entity names) are common random numbers and the difference is the
// policy change's, not noise. With one replication no interval can be given (half widths are
// infinite); the GUI shows the differences until compareReplicated() has the intervals.
std::vector<MetricComparison> compareLiveRuns(const RunSummary& baseline,
                                              const RunSummary& variant);

// `meshsim compare A B --replications R`: the same code (warm-ups resolved as compare does,
// runVariants with common random numbers, compareRuns), for two variants the caller owns;
// replication 0 of each is the live run. nullopt when `cancel` was set before it finished.
std::optional<std::vector<MetricComparison>> compareReplicated(
    Variant& a, Variant& b, std::size_t replications, std::size_t threads,
    const JobProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);

}  // namespace meshsim::sim
