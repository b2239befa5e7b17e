#include "sim/live/live_session.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "sim/experiment/warmup_pilot.h"

namespace meshsim::sim {

LiveSession::LiveSession(std::unique_ptr<Variant> variant, RecordingOptions recording)
    : variant_(std::move(variant)),
      recording_(recording),
      mesh_(std::make_unique<Mesh>(variant_->scenario, variant_->policies, 0, recording_)),
      topology_(buildTopology(variant_->scenario, variant_->policies, *mesh_)),
      recorder_(std::make_unique<SnapshotRecorder>(*mesh_, topology_)) {}

void LiveSession::rebuild() {
  recorder_.reset();
  mesh_ = std::make_unique<Mesh>(variant_->scenario, variant_->policies, 0, recording_);
  recorder_ = std::make_unique<SnapshotRecorder>(*mesh_, topology_);
}

std::optional<Snapshot> LiveSession::step() {
  if (finished_) {
    return std::nullopt;
  }
  if (!started_) {
    Scenario& scenario = variant_->scenario;
    if (scenario.warmup_auto && !scenario.warmup_detection) {
      // The mesh fixes its measurement window when built, so it is rebuilt after the pilot.
      applyWarmup(scenario, runWarmupPilot(scenario, variant_->policies));
      rebuild();
    }
    mesh_->start();
    recorder_->begin();
    started_ = true;
  }
  const core::MonotonicTime now = mesh_->sim().now();
  const core::MonotonicTime measure_from = mesh_->measureFrom();
  const bool warmup = now < measure_from;
  core::MonotonicTime next = std::min(now + mesh_->recording().series_interval, mesh_->end());
  if (warmup) {
    // The last warm-up interval stops where measurement starts, so later snapshots line up with
    // the mesh's own time series.
    next = std::min(next, measure_from);
  }
  mesh_->runUntil(next);
  if (mesh_->done()) {
    // Closes the last, possibly shorter, interval of the time series.
    mesh_->finish();
    finished_ = true;
  }
  Snapshot snapshot = recorder_->capture();
  snapshot.warmup = warmup;
  return snapshot;
}

std::string describeWarmup(const Scenario& scenario) {
  char text[64];
  if (scenario.warmup_auto && !scenario.warmup_detection) {
    return "warm-up auto (MSER-5 pilot on the first step)";
  }
  std::snprintf(text, sizeof(text), "warm-up %.1f s%s", core::toSeconds(scenario.warmup),
                scenario.warmup_detection ? " (MSER-5)" : "");
  return text;
}

}  // namespace meshsim::sim
