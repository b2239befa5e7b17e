#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// One caller -> callee pair of the call graph, aggregated over every call of every operation of
// every version of the caller (and, for the mesh retries, over the headers of every mix entry,
// since apps propagate them and VirtualServices may match on them).
struct CallEdge {
  Index from = 0;  // a service, or CallGraphAnalysis::loadGenerator()
  Index to = 0;
  std::uint32_t calls = 0;        // call specs on this edge
  double max_probability = 0;     // of the most likely of them
  std::uint32_t app_retries = 0;  // the most app-level retries of one call
  // The most mesh retries of one call, on a 5xx response and on a connect failure
  // (CallRouting::retry through retriesOn5xx / retriesOnConnectFailure).
  std::uint32_t mesh_retries_5xx = 0;
  std::uint32_t mesh_retries_connect = 0;
  // Worst-case attempts reaching the callee per call: (app retries + 1) x (mesh retries + 1),
  // maximised over the edge's calls.
  double multiplier_5xx = 1;
  double multiplier_connect = 1;
};

// A path from the load generator to a service that calls nobody (or only back into the path).
struct CallPath {
  std::vector<Index> vertices;  // starts with the load generator
  // Worst-case attempts at the last service per request entering the path: the product of the
  // hops' multipliers (layered retries compound, DESIGN.md "A hop", step 7).
  double multiplier_5xx = 1;
  double multiplier_connect = 1;
};

struct CallGraphAnalysis {
  // Vertex names: the services in scenario order, then "load-generator".
  std::vector<std::string> names;
  std::vector<CallEdge> edges;  // sorted by (from, to)
  // Each cycle as a closed walk: first vertex repeated at the end. Errors: a request could loop
  // forever (the loader rejects cycles reachable from the workload, so these are unreachable).
  std::vector<std::vector<Index>> cycles;
  std::vector<bool> reachable;  // from the load generator
  // Hops on the longest path from the load generator (load generator -> entry service = 1).
  std::uint32_t depth = 0;
  std::vector<std::uint32_t> fan_out;       // distinct callees per vertex
  std::vector<std::uint32_t> max_parallel;  // the widest parallel group of each vertex's plans
  std::vector<CallPath> paths;              // by decreasing multiplier_5xx, then by vertices
  bool paths_truncated = false;             // more than kMaxPaths paths exist

  static constexpr std::size_t kMaxPaths = 10000;

  Index loadGenerator() const { return static_cast<Index>(names.size() - 1); }
  const CallEdge* edge(Index from, Index to) const;
};

// Builds the call graph with Boost.Graph and analyses its structure: cycles (depth-first search
// back edges), reachability, depth (longest path over a topological order), fan-out and the
// worst-case retry multiplier of every path.
CallGraphAnalysis analyzeCallGraph(const Scenario& scenario, const ScenarioPolicies& policies);

}  // namespace meshsim::sim
