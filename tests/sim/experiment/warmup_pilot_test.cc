// `warmup: auto` end to end (issue 5): a pilot run, MSER-5 over its end-to-end latency windows,
// and the detected warm-up in the measured replications, independent of the thread count.
#include "sim/experiment/warmup_pilot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sim/report/run_outputs.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

// One server, one worker, exponential service of 1 ms (μ = 1000/s). `arrivals` is the workload's
// arrival process.
std::string serverScenario(const std::string& arrivals) {
  return R"(
name: transient
seed: 5
duration: 30s
warmup: auto
links: {default: {latency: 0}}
services:
  - name: server
    sidecar: false
    versions:
      - {name: v1, concurrency: 1, queue_capacity: 100000,
         service_time: {exponential: {mean: 1ms}}}
workload:
  kind: open
  mix: [{service: server}]
)" + arrivals;
}

// Overload for the first 6 s (1100/s against μ = 1000/s: about 600 requests of backlog, 0.6 s of
// queueing), then 500/s, at which the backlog drains in about 600 / (1000 - 500) = 1.2 s. The
// steady state (M/M/1 at ρ = 0.5, W = 2 ms) starts near 7.2 s.
const std::string kLoadStep =
    "  arrivals: schedule\n  schedule: [{at: 0s, rate: 1100}, {at: 6s, rate: 500}]\n";
const std::string kStationary = "  rate: 500\n";

std::unique_ptr<Variant> load(const std::string& yaml,
                              const std::vector<std::string>& overrides = {}) {
  auto v = std::make_unique<Variant>();
  config::Warnings warnings;
  v->scenario = loadScenarioFromString(yaml, "transient.yaml", overrides, warnings);
  v->policies = importScenarioPolicies(v->scenario, warnings);
  return v;
}

double seconds(core::Duration d) {
  return core::toSeconds(d);
}

TEST(WarmupPilotTest, LoadStepTransientIsDeleted) {
  auto v = load(serverScenario(kLoadStep));
  ASSERT_TRUE(v->scenario.warmup_auto);
  const WarmupPilot pilot = runWarmupPilot(v->scenario, v->policies);
  // The overload and its drain (to ~7.2 s) must go; MSER-5 should not keep deleting far into
  // the steady state: stated window [6.5 s, 9 s] of the 30 s pilot.
  EXPECT_GE(seconds(pilot.warmup), 6.5);
  EXPECT_LE(seconds(pilot.warmup), 9.0);
  EXPECT_FALSE(pilot.detection.at_search_limit);
  EXPECT_EQ(pilot.detection.windows, kPilotWindows);  // 150 ms windows, none empty at 500/s

  // The measured run then starts there: its mean is the steady state's 2 ms (M/M/1), not the
  // backlog's hundreds of ms. Loose bound (one replication of 30 s, ±10 %).
  ASSERT_TRUE(resolveAutoWarmups({v.get()}, 1, false).empty());
  EXPECT_EQ(v->scenario.warmup, pilot.warmup);
  ReplicationOptions options;
  const ReplicationResult result = runReplications(v->scenario, v->policies, options);
  const RunSummary& summary = result.summaries[0];
  EXPECT_TRUE(summary.warmup_detected);
  EXPECT_DOUBLE_EQ(summary.warmup_s, seconds(pilot.warmup));
  EXPECT_NEAR(summary.latency.mean, 2.0, 0.2);
  EXPECT_EQ(warmupText(summary).find("s warm-up (MSER-5)"), 4u) << warmupText(summary);

  std::ostringstream json;
  writeSummaryJson(json, summary);
  EXPECT_NE(json.str().find("\"warmup_detected\": true"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"warmup_method\": \"MSER-5\""), std::string::npos);
  EXPECT_NE(json.str().find("\"warmup_at_search_limit\": false"), std::string::npos);
}

TEST(WarmupPilotTest, StationaryRunKeepsAlmostEverything) {
  // Starting empty, M/M/1 at ρ = 0.5 relaxes within tens of ms: MSER-5 may still delete a few
  // batches on noise, but less than a tenth of the run.
  auto v = load(serverScenario(kStationary));
  const WarmupPilot pilot = runWarmupPilot(v->scenario, v->policies);
  EXPECT_LT(seconds(pilot.warmup), 3.0);
  EXPECT_FALSE(pilot.detection.at_search_limit);
}

TEST(WarmupPilotTest, TransientLongerThanHalfThePilotHitsTheSearchLimit) {
  // 1500/s for 5 s leaves ~2500 requests of backlog, which 900/s drains at only 100/s: the
  // latency still falls at the end of the 30 s pilot, so every further deletion lowers MSER and
  // the minimum falls on the last truncation it may choose (half the run). Flagged, not fatal.
  auto v = load(serverScenario(
      "  arrivals: schedule\n  schedule: [{at: 0s, rate: 1500}, {at: 5s, rate: 900}]\n"));
  const std::vector<std::size_t> at_limit = resolveAutoWarmups({v.get()}, 1, false);
  ASSERT_EQ(at_limit, std::vector<std::size_t>{0});
  ASSERT_TRUE(v->scenario.warmup_detection);
  EXPECT_TRUE(v->scenario.warmup_detection->at_search_limit);
  EXPECT_NEAR(seconds(v->scenario.warmup), 15.0, 0.2);
}

TEST(WarmupPilotTest, SweepPointsDetectTheirOwnCompareSharesTheLargest) {
  const auto points = [] {
    std::vector<std::unique_ptr<Variant>> out;
    out.push_back(load(serverScenario(kLoadStep)));
    out.push_back(load(serverScenario(kStationary)));
    out.push_back(load(serverScenario(kLoadStep), {"seed=9"}));
    return out;
  };
  const auto pointers = [](const std::vector<std::unique_ptr<Variant>>& variants) {
    std::vector<Variant*> out;
    for (const auto& v : variants) {
      out.push_back(v.get());
    }
    return out;
  };
  // Own detections, the same on 1 and 3 threads.
  auto one = points();
  auto three = points();
  resolveAutoWarmups(pointers(one), 1, false);
  resolveAutoWarmups(pointers(three), 3, false);
  for (std::size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i]->scenario.warmup, three[i]->scenario.warmup) << "point " << i;
  }
  EXPECT_GT(one[0]->scenario.warmup, one[1]->scenario.warmup);

  // Shared: every variant measures after the largest detection.
  auto shared = points();
  resolveAutoWarmups(pointers(shared), 2, true);
  const core::Duration largest = std::max(one[0]->scenario.warmup, one[2]->scenario.warmup);
  for (const auto& v : shared) {
    EXPECT_EQ(v->scenario.warmup, largest);
  }

  // Shared with a fixed warm-up: both measure after the larger of the detection and the fixed
  // value (a compare of a fixed-warm-up A against B = A --set warmup=auto).
  auto fixed_long = load(serverScenario(kStationary), {"warmup=20s"});
  auto detected = load(serverScenario(kLoadStep));
  resolveAutoWarmups({fixed_long.get(), detected.get()}, 2, true);
  EXPECT_EQ(fixed_long->scenario.warmup, core::Duration(std::chrono::seconds(20)));
  EXPECT_EQ(detected->scenario.warmup, core::Duration(std::chrono::seconds(20)));
  EXPECT_TRUE(detected->scenario.warmup_detection);

  // A fixed warm-up is left alone.
  auto fixed = load(serverScenario(kStationary), {"warmup=2s"});
  EXPECT_TRUE(resolveAutoWarmups({fixed.get()}, 1, true).empty());
  EXPECT_FALSE(fixed->scenario.warmup_detection);
  EXPECT_EQ(fixed->scenario.warmup, core::Duration(std::chrono::seconds(2)));
}

TEST(WarmupPilotTest, ReplicationsAfterDetectionDoNotDependOnThreads) {
  auto v = load(serverScenario(kLoadStep), {"duration=10s"});
  resolveAutoWarmups({v.get()}, 2, false);
  ReplicationOptions options;
  options.replications = 4;
  options.threads = 1;
  const ReplicationResult serial = runReplications(v->scenario, v->policies, options);
  options.threads = 4;
  const ReplicationResult parallel = runReplications(v->scenario, v->policies, options);
  std::ostringstream a;
  std::ostringstream b;
  for (std::size_t r = 0; r < 4; ++r) {
    writeSummaryJson(a, serial.summaries[r]);
    writeSummaryJson(b, parallel.summaries[r]);
  }
  EXPECT_EQ(a.str(), b.str());
  EXPECT_TRUE(serial.summaries[0].warmup_detected);
}

}  // namespace
}  // namespace meshsim::sim
