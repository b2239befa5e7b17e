#pragma once

#include <cstddef>
#include <vector>

#include "sim/experiment/replications.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// `warmup: auto`: the pilot's end-to-end latency is sampled in this many windows of
// duration / kPilotWindows, i.e. 40 MSER-5 batches, of which the first 20 may be deleted.
inline constexpr std::size_t kPilotWindows = 200;

// The outcome of one pilot run.
struct WarmupPilot {
  core::Duration warmup{0};
  DetectedWarmup detection;
};

// Detects the warm-up of a `warmup: auto` scenario (whose `warmup` is still 0): a pilot run of
// `duration` measured from t = 0 with replication 0's random streams, so the answer is a pure
// function of (scenario, seed); the mean end-to-end latency of each of its kPilotWindows windows
// (empty windows skipped) goes through MSER-5 (sim/stats/warmup_detection.h), and the start of the
// first kept window is the warm-up. Faults stay at their absolute times, so a fault early in the
// pilot is part of what MSER-5 sees.
WarmupPilot runWarmupPilot(const Scenario& scenario, const ScenarioPolicies& policies);

// Stores a detection in the scenario: measurement starts after `pilot.warmup`, then `duration`.
void applyWarmup(Scenario& scenario, const WarmupPilot& pilot);

// Resolves `warmup: auto` in every variant that asks for it, one pilot per such variant, run in
// parallel on `threads` (the result does not depend on it); the others are left alone.
// `shared` (compare: the paired windows must coincide): if any variant is auto, every variant
// measures after the largest warm-up among them, detected or fixed; else each auto variant gets
// its own detection (sweep points). Returns the variants that hit MSER's search
// limit, by index, for the caller to warn about.
std::vector<std::size_t> resolveAutoWarmups(const std::vector<Variant*>& variants,
                                            std::size_t threads, bool shared);

}  // namespace meshsim::sim
