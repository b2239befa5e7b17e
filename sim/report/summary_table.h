#pragma once

#include <ostream>

#include "sim/mesh/mesh.h"
#include "sim/report/run_summary.h"

namespace meshsim::sim {

// The compact summary `meshsim run` prints: end-to-end latency and success, then per service and
// per edge, sidecar cost, TLS and engine figures. Every number comes from the RunSummary that
// summary.json is written from.
void printSummaryTable(std::ostream& out, const RunSummary& summary);
void printSummaryTable(std::ostream& out, const Mesh& mesh);

}  // namespace meshsim::sim
