#include "sim/live/live_session.h"

#include <algorithm>
#include <utility>

namespace meshsim::sim {

LiveSession::LiveSession(std::unique_ptr<Variant> variant, RecordingOptions recording)
    : variant_(std::move(variant)),
      mesh_(std::make_unique<Mesh>(variant_->scenario, variant_->policies, 0, recording)),
      topology_(buildTopology(variant_->scenario, variant_->policies, *mesh_)),
      recorder_(*mesh_, topology_) {}

std::optional<Snapshot> LiveSession::step() {
  if (finished_) {
    return std::nullopt;
  }
  if (!started_) {
    mesh_->start();
    mesh_->runUntil(mesh_->measureFrom());
    next_ = mesh_->measureFrom();
    recorder_.begin();
    started_ = true;
  }
  next_ = std::min(next_ + mesh_->recording().series_interval, mesh_->end());
  mesh_->runUntil(next_);
  if (mesh_->done()) {
    // Closes the last, possibly shorter, interval of the time series.
    mesh_->finish();
    finished_ = true;
  }
  return recorder_.capture();
}

}  // namespace meshsim::sim
