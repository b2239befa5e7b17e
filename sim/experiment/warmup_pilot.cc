#include "sim/experiment/warmup_pilot.h"

#include <algorithm>
#include <cstdint>

#include "sim/mesh/mesh.h"
#include "sim/stats/warmup_detection.h"

namespace meshsim::sim {

WarmupPilot runWarmupPilot(const Scenario& scenario, const ScenarioPolicies& policies) {
  RecordingOptions recording;
  recording.series_interval =
      std::max(core::Duration(1), scenario.duration / static_cast<std::int64_t>(kPilotWindows));
  recording.trace_sampling = 0;
  recording.max_traces = 0;
  Mesh pilot(scenario, policies, 0, recording);
  pilot.run();
  // The end-to-end series is the last one (MeshMetrics::series).
  const TimeSeries& series = pilot.metrics().series.back();
  std::vector<double> means;
  std::vector<core::MonotonicTime> starts;
  for (const TimeSeries::Row& row : series.rows()) {
    if (row.count > 0) {
      means.push_back(row.mean_ns);
      starts.push_back(row.start);
    }
  }
  const WarmupResult result = mser5(means, starts);
  WarmupPilot out;
  out.detection.windows = means.size();
  out.detection.at_search_limit = result.at_search_limit;
  if (result.truncation > 0 && result.truncation_time) {
    out.warmup = *result.truncation_time - pilot.measureFrom();
  }
  return out;
}

void applyWarmup(Scenario& scenario, const WarmupPilot& pilot) {
  scenario.warmup = pilot.warmup;
  scenario.warmup_detection = pilot.detection;
}

std::vector<std::size_t> resolveAutoWarmups(const std::vector<Variant*>& variants,
                                            std::size_t threads, bool shared) {
  std::vector<std::size_t> auto_variants;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (variants[v]->scenario.warmup_auto && !variants[v]->scenario.warmup_detection) {
      auto_variants.push_back(v);
    }
  }
  std::vector<WarmupPilot> pilots(auto_variants.size());
  runParallel(pilots.size(), threads, [&](std::size_t i) {
    const Variant& variant = *variants[auto_variants[i]];
    pilots[i] = runWarmupPilot(variant.scenario, variant.policies);
  });
  std::vector<std::size_t> at_limit;
  for (std::size_t i = 0; i < pilots.size(); ++i) {
    applyWarmup(variants[auto_variants[i]]->scenario, pilots[i]);
    if (pilots[i].detection.at_search_limit) {
      at_limit.push_back(auto_variants[i]);
    }
  }
  if (shared && !pilots.empty()) {
    // A variant with a fixed warm-up joins too: the windows must coincide whichever way each
    // variant's warm-up was decided.
    core::Duration longest{0};
    for (const Variant* variant : variants) {
      longest = std::max(longest, variant->scenario.warmup);
    }
    for (Variant* variant : variants) {
      variant->scenario.warmup = longest;
    }
  }
  return at_limit;
}

}  // namespace meshsim::sim
