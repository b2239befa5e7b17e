#include "sim/live/live_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "sim/experiment/replications.h"
#include "sim/experiment/warmup_pilot.h"
#include "sim/live/ab_comparison.h"
#include "sim/live/graph_layout.h"
#include "sim/live/run_history.h"
#include "sim/live/scenario_editor.h"

namespace meshsim::sim {
namespace {

const std::filesystem::path kScenarios =
    std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "scenarios";

std::unique_ptr<Variant> load(const std::string& file, std::vector<std::string> overrides = {}) {
  config::Warnings warnings;
  return loadVariant((kScenarios / file).string(), overrides, warnings);
}

RunHistory runToEnd(LiveSession& session) {
  RunHistory history;
  while (auto snapshot = session.step()) {
    history.append(std::move(*snapshot));
  }
  return history;
}

// Stepping the mesh in uneven slices fires the same events as run() in one go.
TEST(MeshSteppingTest, UnevenStepsFireTheSameEventsAsRun) {
  auto a = load("bookinfo.yaml", {"duration=5s", "warmup=1s"});
  auto b = load("bookinfo.yaml", {"duration=5s", "warmup=1s"});
  Mesh whole(a->scenario, a->policies);
  whole.run();
  Mesh stepped(b->scenario, b->policies);
  stepped.start();
  for (const int ms : {1, 333, 1000, 1001, 2500, 4999, 5000, 5999, 99999}) {
    stepped.runUntil(core::kTimeZero + std::chrono::milliseconds(ms));
  }
  EXPECT_TRUE(stepped.done());
  stepped.finish();
  EXPECT_EQ(stepped.sim().fingerprint(), whole.sim().fingerprint());
  EXPECT_EQ(stepped.metrics().requests, whole.metrics().requests);
  EXPECT_EQ(stepped.metrics().series.back().rows().size(),
            whole.metrics().series.back().rows().size());
}

// One snapshot per second of the warm-up and of the measured window; the warm-up's carry no
// request figures (the mesh measures none then) but the sidecars' CPU; the others add up to the
// run's summary.
TEST(LiveSessionTest, SnapshotsAddUpToTheRunSummary) {
  LiveSession session(load("bookinfo.yaml", {"duration=12s", "warmup=2s"}));
  const RunHistory history = runToEnd(session);
  ASSERT_TRUE(session.done());
  EXPECT_FALSE(session.step().has_value());
  ASSERT_EQ(history.size(), 14U);
  EXPECT_DOUBLE_EQ(history.at(0).endSeconds(), 1.0);
  EXPECT_DOUBLE_EQ(history.at(2).endSeconds(), 3.0);
  EXPECT_DOUBLE_EQ(history.back().endSeconds(), 14.0);
  EXPECT_DOUBLE_EQ(history.warmupEndSeconds(), 2.0);
  EXPECT_EQ(history.points(LiveMetric::kRps).size(), 12U);
  EXPECT_EQ(history.points(LiveMetric::kSidecarCpu).size(), 14U);
  const RunSummary summary = session.summary();
  double requests = 0;
  double client_edge = 0;
  const MeshTopology& topology = session.topology();
  const std::size_t entry = topology.findEdge(topology.clientNode(), 0);
  ASSERT_LT(entry, topology.edges.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    const Snapshot& s = history.at(i);
    EXPECT_EQ(s.warmup, i < 2) << i;
    if (s.warmup) {
      EXPECT_EQ(s.rps, 0);
      EXPECT_EQ(s.p99_ms, 0);
      EXPECT_GT(s.sidecar_cpu_cores, 0);
      continue;
    }
    requests += s.rps * core::toSeconds(s.width);
    client_edge += s.edges[entry].rps * core::toSeconds(s.width);
    EXPECT_GT(s.p99_ms, 0);
    EXPECT_GE(s.p99_ms, s.p50_ms);
    EXPECT_DOUBLE_EQ(s.amplification, 1.0) << "bookinfo retries nothing";
    EXPECT_GT(s.sidecar_cpu_cores, 0);
  }
  EXPECT_NEAR(requests, static_cast<double>(summary.requests), 1e-6);
  const auto client = std::find_if(summary.edges.begin(), summary.edges.end(),
                                   [](const EdgeSummary& e) { return e.from == "client"; });
  ASSERT_NE(client, summary.edges.end());
  EXPECT_NEAR(client_edge, static_cast<double>(client->requests), 1e-6);
}

// The live run is the CLI's run: the same summary as runReplications' replication 0.
TEST(LiveSessionTest, FinishedRunMatchesMeshsimRun) {
  LiveSession session(load("bookinfo.yaml", {"duration=4s", "warmup=1s"}));
  runToEnd(session);
  auto variant = load("bookinfo.yaml", {"duration=4s", "warmup=1s"});
  const ReplicationResult cli = runReplications(variant->scenario, variant->policies, {});
  const std::vector<MetricComparison> rows =
      compareLiveRuns(cli.summaries.front(), session.summary());
  ASSERT_FALSE(rows.empty());
  for (const MetricComparison& row : rows) {
    EXPECT_EQ(row.difference.difference.mean, 0.0) << row.metric.label;
  }
}

// `warmup: auto`: the first step runs meshsim run's pilot, and the finished run is `meshsim run`'s
// (the same detected warm-up, the same summary).
TEST(LiveSessionTest, AutoWarmupIsDetectedLikeMeshsimRun) {
  LiveSession session(load("bookinfo.yaml", {"duration=20s", "warmup=auto"}));
  EXPECT_EQ(describeWarmup(session.scenario()), "warm-up auto (MSER-5 pilot on the first step)");
  const RunHistory history = runToEnd(session);
  auto variant = load("bookinfo.yaml", {"duration=20s", "warmup=auto"});
  resolveAutoWarmups({variant.get()}, 1, false);
  EXPECT_EQ(session.warmup(), variant->scenario.warmup);
  char expected[64];
  std::snprintf(expected, sizeof(expected), "warm-up %.1f s (MSER-5)",
                core::toSeconds(variant->scenario.warmup));
  EXPECT_EQ(describeWarmup(session.scenario()), expected);
  EXPECT_NEAR(history.warmupEndSeconds(), core::toSeconds(variant->scenario.warmup), 1e-9);
  const ReplicationResult cli = runReplications(variant->scenario, variant->policies, {});
  for (const MetricComparison& row : compareLiveRuns(cli.summaries.front(), session.summary())) {
    EXPECT_EQ(row.difference.difference.mean, 0.0) << row.metric.label;
  }
}

// retry-storm's apps retry (2 each) as well as its sidecars: the snapshots count both, apart,
// and the app retries add up to requests - calls of the summary's edges.
TEST(LiveSessionTest, CountsAppAndMeshRetriesApart) {
  LiveSession session(load("retry-storm.yaml"));
  const RunHistory history = runToEnd(session);
  const RunSummary summary = session.summary();
  const MeshTopology& topology = session.topology();
  const std::size_t inventory = *session.scenario().findService("inventory");
  const std::size_t orders = *session.scenario().findService("orders");
  const std::size_t edge =
      topology.findEdge(static_cast<Index>(orders), static_cast<Index>(inventory));
  std::uint64_t app = 0;
  std::uint64_t mesh = 0;
  std::uint64_t into_inventory = 0;
  for (std::size_t i = 0; i < history.size(); ++i) {
    app += history.at(i).edges[edge].app_retries;
    mesh += history.at(i).edges[edge].retries;
    into_inventory += history.at(i).services[inventory].app_retries;
  }
  const auto it =
      std::find_if(summary.edges.begin(), summary.edges.end(),
                   [](const EdgeSummary& e) { return e.from == "orders" && e.to == "inventory"; });
  ASSERT_NE(it, summary.edges.end());
  EXPECT_EQ(app, it->requests - it->calls);
  EXPECT_EQ(mesh, it->retries);
  EXPECT_EQ(into_inventory, app) << "orders is inventory's only caller";
  EXPECT_GT(app, 1000U);
  EXPECT_GT(mesh, 1000U);
}

// meshsim compare's code for the GUI: identical variants differ by exactly 0 in every replication
// (common random numbers), and a cancelled comparison gives nothing.
TEST(AbComparisonTest, ReplicatedComparisonUsesCommonRandomNumbers) {
  auto a = load("bookinfo.yaml", {"duration=5s", "warmup=1s"});
  auto b = load("bookinfo.yaml", {"duration=5s", "warmup=1s"});
  std::size_t calls = 0;
  const auto rows = compareReplicated(*a, *b, 3, 2, [&](std::size_t, std::size_t total) {
    ++calls;
    EXPECT_EQ(total, 6U);
  });
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(calls, 6U);
  ASSERT_FALSE(rows->empty());
  for (const MetricComparison& row : *rows) {
    EXPECT_EQ(row.a.n, 3U);
    EXPECT_EQ(row.difference.difference.mean, 0.0) << row.metric.label;
    EXPECT_FALSE(row.difference.significant);
  }
  std::atomic<bool> cancel{true};
  EXPECT_FALSE(compareReplicated(*a, *b, 3, 1, {}, &cancel).has_value());
}

// The live A/B row: the baseline's interval ending at the same time, B - A per metric; in the
// warm-up only what the mesh records then.
TEST(RunHistoryTest, LiveDifferenceAtTheSameTime) {
  RunHistory baseline;
  Snapshot s;
  s.width = std::chrono::seconds(1);
  s.warmup = true;
  s.sidecar_cpu_cores = 0.5;
  baseline.append(s);
  s.warmup = false;
  s.start = std::chrono::seconds(1);
  s.rps = 100;
  s.error_rate = 0.01;
  baseline.append(s);
  EXPECT_EQ(baseline.atTime(2.0), &baseline.at(1));
  EXPECT_EQ(baseline.atTime(2.5), nullptr);
  Snapshot b = s;
  b.rps = 90;
  b.error_rate = 0.5;
  const std::vector<LiveDifference> rows = liveDifference(baseline, b);
  ASSERT_EQ(rows.size(), std::size(kLiveMetrics));
  EXPECT_EQ(rows[2].metric, LiveMetric::kRps);
  EXPECT_EQ(rows[2].difference, -10.0);
  EXPECT_DOUBLE_EQ(rows[3].difference, 0.49);
  b.start = std::chrono::seconds(0);
  b.warmup = true;
  const std::vector<LiveDifference> warm = liveDifference(baseline, b);
  ASSERT_EQ(warm.size(), 2U);
  EXPECT_EQ(warm[1].metric, LiveMetric::kSidecarCpu);
  b.start = std::chrono::seconds(5);
  EXPECT_TRUE(liveDifference(baseline, b).empty());
}

// payment's failing replica is ejected by both checkout sidecars, three times each (the
// scenario's header): the snapshots show the ejected replica and count every ejection.
TEST(LiveSessionTest, ShowsOutlierEjections) {
  LiveSession session(load("payment-circuit-breaker.yaml"));
  const RunHistory history = runToEnd(session);
  const std::size_t payment = *session.scenario().findService("payment");
  std::uint64_t ejections = 0;
  std::uint32_t most_ejected = 0;
  for (std::size_t i = 0; i < history.size(); ++i) {
    ejections += history.at(i).ejections;
    most_ejected = std::max(most_ejected, history.at(i).services[payment].ejected[0]);
    EXPECT_EQ(history.at(i).ejected_hosts, history.at(i).services[payment].ejected[0]);
  }
  EXPECT_EQ(ejections, session.summary().proxy_totals.outlier_ejections_enforced_total);
  // The outlier-ejection lesson shows its first ejections within the first simulated minute.
  std::size_t first = 0;
  while (first < history.size() && history.at(first).ejections == 0) {
    ++first;
  }
  ASSERT_LT(first, history.size());
  EXPECT_LT(history.at(first).endSeconds(), 30.0);
  EXPECT_EQ(ejections, 6U);
  EXPECT_EQ(most_ejected, 1U);
  EXPECT_GT(RunHistory::value(history.at(10), LiveMetric::kSidecarCpu, payment), 0);
}

// The GUI's first session: Bookinfo with details at 3 replicas, replica 0 failing every request
// with 503 from the start of the measurement (10 s), outlier detection and 2 retries on 5xx on
// details (Istio's default policy retries no 5xx: proxy-semantics §2). productpage's sidecar
// retries the 503s on other replicas (previous_hosts) and ejects the failing one, so end-to-end
// success stays high.
TEST(LiveSessionTest, FailingReplicaIsRetriedAndEjected) {
  ScenarioEditor editor = ScenarioEditor::open((kScenarios / "bookinfo.yaml").string());
  editor.setReplicas("details", "v1", 3);
  FailingReplicaKnob failing = editor.failingReplicas("details");
  failing.percent = 100;
  editor.setFailingReplicas("details", failing);
  editor.setOutlierDetection(
      "details", OutlierKnob{true, 5, std::chrono::seconds(10), std::chrono::seconds(30), 100});
  // details has no VirtualService: the knob reads Istio's default, 2 attempts that retry no 5xx.
  RetryKnob retries_knob = editor.retries("details");
  EXPECT_EQ(retries_knob.attempts, 2);
  retries_knob.retry_on = "5xx,reset,connect-failure";
  editor.setRetries("details", retries_knob);
  config::Warnings warnings;
  LiveSession session(editor.load(warnings));
  const RunHistory history = runToEnd(session);
  const std::size_t details = *session.scenario().findService("details");
  std::uint64_t retries = 0;
  std::uint64_t ejections = 0;
  std::uint32_t most_ejected = 0;
  for (std::size_t i = 0; i < history.size(); ++i) {
    retries += history.at(i).services[details].retries;
    ejections += history.at(i).ejections;
    most_ejected = std::max(most_ejected, history.at(i).services[details].ejected[0]);
  }
  const RunSummary summary = session.summary();
  EXPECT_EQ(ejections, summary.proxy_totals.outlier_ejections_enforced_total);
  EXPECT_GT(retries, 0U);
  EXPECT_GE(ejections, 1U);
  EXPECT_EQ(most_ejected, 1U);
  EXPECT_GT(summary.success_rate, 0.999);
  std::printf("failing replica: %llu mesh retries to details, %llu ejections, success %.5f\n",
              static_cast<unsigned long long>(retries), static_cast<unsigned long long>(ejections),
              summary.success_rate);
}

TEST(LiveSessionTest, TopologyOfBookinfo) {
  LiveSession session(load("bookinfo.yaml"));
  const MeshTopology& t = session.topology();
  ASSERT_EQ(t.nodes.size(), 5U);
  EXPECT_TRUE(t.nodes.back().client);
  EXPECT_EQ(t.nodes[2].name, "reviews");
  EXPECT_EQ(t.nodes[2].versions.size(), 3U);
  ASSERT_EQ(t.edges.size(),
            4U);  // client->productpage, productpage->details/reviews, reviews->ratings
  const std::size_t details = t.findEdge(0, 1);
  ASSERT_LT(details, t.edges.size());
  EXPECT_TRUE(t.edges[details].mtls);
  EXPECT_FALSE(t.edges[t.findEdge(t.clientNode(), 0)].mtls) << "the load generator has no sidecar";
  EXPECT_EQ(t.findEdge(1, 0), t.edges.size());
  EXPECT_FALSE(t.nodes[3].outlier_detection);
}

TEST(LiveSessionTest, PolicyBadges) {
  LiveSession session(load("payment-circuit-breaker.yaml"));
  const MeshTopology& t = session.topology();
  const TopologyNode& payment = t.nodes[*session.scenario().findService("payment")];
  EXPECT_TRUE(payment.circuit_breaker);
  EXPECT_TRUE(payment.outlier_detection);
  EXPECT_FALSE(payment.fault_injection);
  LiveSession delay(load("bookinfo-ratings-delay.yaml"));
  EXPECT_TRUE(delay.topology().nodes[*delay.scenario().findService("ratings")].fault_injection);
}

// The layout is deterministic, inside the unit square, and keeps nodes apart.
TEST(GraphLayoutTest, DeterministicSpreadOut) {
  LiveSession session(load("social-network.yaml"));
  const auto a = layoutTopology(session.topology());
  const auto b = layoutTopology(session.topology());
  ASSERT_EQ(a.size(), session.topology().nodes.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].x, b[i].x);
    EXPECT_EQ(a[i].y, b[i].y);
    EXPECT_GE(a[i].x, 0);
    EXPECT_LE(a[i].x, 1);
    EXPECT_GE(a[i].y, 0);
    EXPECT_LE(a[i].y, 1);
    for (std::size_t j = 0; j < i; ++j) {
      EXPECT_GT(std::hypot(a[i].x - a[j].x, a[i].y - a[j].y), 0.02) << i << " " << j;
    }
  }
}

TEST(RunHistoryTest, PointsPerMetric) {
  RunHistory history;
  Snapshot s;
  s.width = std::chrono::seconds(1);
  s.p99_ms = 7;
  s.services.resize(1);
  s.services[0].rps = 3;
  s.services[0].ejected = {1, 2};
  s.edges.push_back(EdgeSnapshot{.from = 1, .to = 0, .rps = 4, .amplification = 1.5});
  history.append(s);
  s.start = std::chrono::seconds(1);
  history.append(s);
  const auto p99 = history.points(LiveMetric::kP99Ms);
  ASSERT_EQ(p99.size(), 2U);
  EXPECT_EQ(p99[1], std::make_pair(2.0, 7.0));
  EXPECT_EQ(history.points(LiveMetric::kRps, 0)[0].second, 3.0);
  EXPECT_EQ(RunHistory::value(s, LiveMetric::kEjectedHosts, 0), 3.0);
  EXPECT_EQ(RunHistory::value(s, LiveMetric::kAmplification, 0), 1.5);
}

}  // namespace
}  // namespace meshsim::sim
