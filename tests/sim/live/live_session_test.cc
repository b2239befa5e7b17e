#include "sim/live/live_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "sim/experiment/replications.h"
#include "sim/live/ab_comparison.h"
#include "sim/live/graph_layout.h"
#include "sim/live/run_history.h"

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

// One snapshot per second of the measured window, whose counts add up to the run's summary.
TEST(LiveSessionTest, SnapshotsAddUpToTheRunSummary) {
  LiveSession session(load("bookinfo.yaml", {"duration=12s", "warmup=2s"}));
  const RunHistory history = runToEnd(session);
  ASSERT_TRUE(session.done());
  EXPECT_FALSE(session.step().has_value());
  ASSERT_EQ(history.size(), 12U);
  EXPECT_DOUBLE_EQ(history.at(0).endSeconds(), 3.0);
  EXPECT_DOUBLE_EQ(history.back().endSeconds(), 14.0);
  const RunSummary summary = session.summary();
  double requests = 0;
  double client_edge = 0;
  const MeshTopology& topology = session.topology();
  const std::size_t entry = topology.findEdge(topology.clientNode(), 0);
  ASSERT_LT(entry, topology.edges.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    const Snapshot& s = history.at(i);
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
  EXPECT_EQ(ejections, 6U);
  EXPECT_EQ(most_ejected, 1U);
  EXPECT_GT(RunHistory::value(history.at(10), LiveMetric::kSidecarCpu, payment), 0);
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
  s.edges.push_back(EdgeSnapshot{1, 0, 4, 0, 0, 0, 1.5, 0, 0});
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
