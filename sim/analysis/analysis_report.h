#pragma once

#include <ostream>

#include "sim/analysis/call_graph.h"
#include "sim/analysis/traffic_model.h"
#include "sim/report/run_summary.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// `meshsim analyze`'s report: the call graph (cycles, depth, fan-out, paths with their worst-case
// attempt multipliers) and the analytic model (arrival rates, utilisation, M/M/c waits), with
// saturated (ρ >= 1) and high-load (ρ >= 0.8) pools flagged.
void printAnalysis(std::ostream& out, const Scenario& scenario, const CallGraphAnalysis& graph,
                   const TrafficAnalysis& traffic);

// Analytic vs simulated figures side by side (`analyze --simulate`): per service the arrival
// rate and utilisation, per edge the attempt rate.
void printSimulationComparison(std::ostream& out, const Scenario& scenario,
                               const TrafficAnalysis& traffic, const RunSummary& summary);

// Whether the report holds errors (cycles): `meshsim analyze` then exits with status 1.
inline bool hasErrors(const CallGraphAnalysis& graph) {
  return !graph.cycles.empty();
}

}  // namespace meshsim::sim
