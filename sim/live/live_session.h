#pragma once

#include <memory>
#include <optional>
#include <string>

#include "sim/experiment/replications.h"
#include "sim/live/mesh_topology.h"
#include "sim/live/snapshot.h"
#include "sim/live/snapshot_recorder.h"
#include "sim/mesh/mesh.h"
#include "sim/report/run_summary.h"

namespace meshsim::sim {

// One run of a scenario that advances an interval at a time, for a viewer that draws between
// steps (meshsim-gui's worker thread owns one). Every step covers one time-series interval, the
// warm-up's included (those snapshots are marked `warmup`; the mesh keeps them out of the
// statistics as in any run). With `warmup: auto` the first step runs the MSER-5 pilot of
// `meshsim run` first. The finished run is exactly what `meshsim run` simulates (same seed, same
// warm-up, same summary).
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
  // The warm-up in force: the file's, or once the first step has run the pilot, the detected one.
  core::Duration warmup() const { return variant_->scenario.warmup; }
  // The run's summary, as `meshsim run` reports it; only once done().
  RunSummary summary() const { return summarizeRun(*mesh_); }

 private:
  void rebuild();

  std::unique_ptr<Variant> variant_;
  RecordingOptions recording_;
  std::unique_ptr<Mesh> mesh_;
  MeshTopology topology_;
  std::unique_ptr<SnapshotRecorder> recorder_;
  bool started_ = false;
  bool finished_ = false;
};

// "warm-up 12.0 s (MSER-5)" for a detected warm-up, "warm-up 15.0 s" for a fixed one, and
// "warm-up auto (MSER-5 pilot on the first step)" before the pilot has run.
std::string describeWarmup(const Scenario& scenario);

}  // namespace meshsim::sim
