#pragma once

#include <memory>
#include <optional>

#include "sim/experiment/replications.h"
#include "sim/live/mesh_topology.h"
#include "sim/live/snapshot.h"
#include "sim/live/snapshot_recorder.h"
#include "sim/mesh/mesh.h"
#include "sim/report/run_summary.h"

namespace meshsim::sim {

// One run of a scenario that advances an interval at a time, for a viewer that draws between
// steps (meshsim-gui's worker thread owns one). The warm-up is simulated by the first step, as it
// is deleted from the statistics anyway; every later step covers one time-series interval. The
// finished run is exactly what `meshsim run` simulates (same seed, same summary).
class LiveSession {
 public:
  explicit LiveSession(std::unique_ptr<Variant> variant, RecordingOptions recording = {});
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  const Scenario& scenario() const { return variant_->scenario; }
  const ScenarioPolicies& policies() const { return variant_->policies; }
  const MeshTopology& topology() const { return topology_; }

  // The next interval's snapshot; nullopt once the run is over.
  std::optional<Snapshot> step();
  bool done() const { return finished_; }
  // Simulated time so far, warm-up included.
  core::Duration now() const { return mesh_->sim().now() - core::kTimeZero; }
  core::Duration end() const { return mesh_->end() - core::kTimeZero; }
  // The run's summary, as `meshsim run` reports it; only once done().
  RunSummary summary() const { return summarizeRun(*mesh_); }

 private:
  std::unique_ptr<Variant> variant_;
  std::unique_ptr<Mesh> mesh_;
  MeshTopology topology_;
  SnapshotRecorder recorder_;
  core::MonotonicTime next_{};
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace meshsim::sim
