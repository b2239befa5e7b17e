#pragma once

#include <vector>

#include "sim/experiment/comparison.h"
#include "sim/report/run_summary.h"

namespace meshsim::sim {

// The key metrics of a pinned baseline run and the run after it, with B - A, as `meshsim compare`
// reports them for one replication. Both runs use the scenario's seed and replication 0, so their
// random streams (keyed by entity names) are common random numbers and the difference is the
// policy change's, not noise. With one replication no interval can be given (half widths are
// infinite); the GUI shows the differences.
std::vector<MetricComparison> compareLiveRuns(const RunSummary& baseline,
                                              const RunSummary& variant);

}  // namespace meshsim::sim
