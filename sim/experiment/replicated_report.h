#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/experiment/replications.h"
#include "sim/report/run_summary.h"

namespace meshsim::sim {

// summary.json of a replicated run (docs/outputs.md "Replications"): the header of replication 0
// plus `replications`, then every metric of flattenSummary nested by its path as
// {"mean": m, "ci95": h} (h the Student t half width; edges keyed "from -> to").
void writeReplicatedSummaryJson(std::ostream& out, const RunSummary& first,
                                const ReplicatedMetrics& metrics);

// replications.csv: one row per replication with the key figures, for checking the spread.
void writeReplicationsCsv(std::ostream& out, const ReplicatedMetrics& metrics);

// The terminal table of a replicated run: the figures of printSummaryTable as "mean ±half-width".
void printReplicatedTable(std::ostream& out, const RunSummary& first,
                          const ReplicatedMetrics& metrics);

// "12.34 ±0.56" (half width "inf" when it cannot be bounded).
std::string formatInterval(const ConfidenceInterval& ci, int decimals);

}  // namespace meshsim::sim
