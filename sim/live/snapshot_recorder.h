#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/live/mesh_topology.h"
#include "sim/live/snapshot.h"
#include "sim/stats/latency_histogram.h"

namespace meshsim::sim {

class Mesh;
struct Workload;

// Turns the mesh's cumulative counters into per-interval Snapshots: it remembers what it saw last
// time and reports the difference. Service and end-to-end percentiles come from the mesh's own
// time series (one row per interval); edge percentiles from the difference of the edge histograms.
// capture() is meant to be called at each interval boundary of the mesh's time series.
class SnapshotRecorder {
 public:
  SnapshotRecorder(Mesh& mesh, const MeshTopology& topology);

  // Starts the first interval now (at the start of the run): what happened before is not in any
  // snapshot. Request figures stay 0 during the warm-up, which the mesh does not measure.
  void begin();
  // The interval since the previous capture (or begin()) up to now.
  Snapshot capture();

 private:
  struct EdgeTotals {
    std::uint64_t calls = 0;
    std::uint64_t requests = 0;
    std::uint64_t attempts = 0;
    std::uint64_t retries = 0;
    std::uint64_t failures = 0;
    std::uint64_t overflow = 0;
    std::uint64_t injected = 0;
    LatencyHistogram latency;
  };

  Mesh& mesh_;
  const MeshTopology& topology_;
  std::unordered_map<std::string, const Workload*> by_address_;
  std::vector<EdgeTotals> edges_;
  std::vector<core::Duration> sidecar_cpu_;  // per service, the load generator last
  std::uint64_t ejections_ = 0;
  std::size_t rows_seen_ = 0;
  core::MonotonicTime last_;
  std::uint64_t next_index_ = 0;
};

}  // namespace meshsim::sim
