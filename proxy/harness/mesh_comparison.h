#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "proxy/harness/load_driver.h"
#include "sim/mesh/mesh.h"

namespace meshsim::proxy {

// The counters of one side (real or simulated), keyed the same way on both: per edge
// "<caller> -> <cluster>" the core's cluster stats summed over the caller's sidecars, per caller
// the response flags of its outbound requests, and the end-to-end view of the load generator.
struct MeshCounts {
  std::map<std::string, std::map<std::string, double>> edges;
  std::map<std::string, std::map<std::string, double>> flags;
  // Per edge, when its first ejection happened (seconds from the start of the load), for edges
  // that ejected a host; sampled every ~50 ms (real) or every 1 % of the run (simulated).
  std::map<std::string, double> first_ejection_s;
  double tls_handshakes = 0;  // sidecar-to-sidecar connections set up with TLS
  double requests = 0;
  double succeeded = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
};

// The cluster stats compared per edge (Envoy names).
const std::vector<std::string>& comparedClusterStats();

// From every pod's scraped /stats (in scenarioPods() order) and the load generator's results.
MeshCounts realCounts(const sim::Scenario& scenario,
                      const std::vector<std::map<std::string, std::uint64_t>>& stats,
                      const LoadResult& load);
// From a finished simulated mesh.
MeshCounts simulatedCounts(sim::Mesh& mesh);
// The mean over replications (first ejection times: over the replications that ejected).
MeshCounts meanCounts(const std::vector<MeshCounts>& runs);
// Records, for every edge of `now` whose ejection count is above zero and that `into` has no
// time for yet, `seconds` as its first ejection time.
void noteFirstEjections(const MeshCounts& now, double seconds, MeshCounts& into);

enum class Check : std::uint8_t { kNone, kRelative, kExact };

struct ComparisonRow {
  std::string what;
  double real = 0;
  double simulated = 0;
  Check check = Check::kNone;
  bool ok = true;
};

// Side by side: end-to-end success (checked within `tolerance`) and latency percentiles; per
// edge attempts and retries per request, amplification (checked within `tolerance`), 5xx,
// overflows, timeouts and ejections (checked exactly: deterministic for an always-failing host);
// per caller the response flags.
std::vector<ComparisonRow> compare(const MeshCounts& real, const MeshCounts& simulated,
                                   double tolerance);
void printComparison(std::ostream& out, const std::vector<ComparisonRow>& rows, double tolerance);

}  // namespace meshsim::proxy
