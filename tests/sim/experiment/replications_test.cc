// Replications, A/B comparison and sweeps (issue 5, items 1-3): results never depend on the thread
// count, intervals are Student t over replications, and comparisons use common random numbers.
#include "sim/experiment/replications.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/experiment/comparison.h"
#include "sim/experiment/replicated_report.h"
#include "sim/experiment/sweep.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

// Small and quick (a few simulated seconds), with enough randomness (Poisson arrivals,
// exponential service, errors and mesh retries) that replications differ.
constexpr const char* kScenario = R"(
name: tiny
seed: 11
duration: 2s
warmup: 500ms
services:
  - name: front
    versions: [{name: v1, replicas: 2, service_time: {exponential: {mean: 1ms}}}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: leaf
    versions: [{name: v1, replicas: 2, service_time: {exponential: {mean: 2ms}}, errors: {probability: 0.05}}]
workload: {kind: open, rate: 200, mix: [{service: front, path: /}]}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: leaf}
      spec:
        hosts: [leaf]
        http:
          - route: [{destination: {host: leaf}}]
            retries: {attempts: 1, retryOn: 5xx}
)";

std::unique_ptr<Variant> variant(const std::vector<std::string>& overrides = {}) {
  auto v = std::make_unique<Variant>();
  config::Warnings warnings;
  v->scenario = loadScenarioFromString(kScenario, "tiny.yaml", overrides, warnings);
  v->policies = importScenarioPolicies(v->scenario, warnings);
  return v;
}

ReplicationResult replicate(const Variant& v, std::size_t replications, std::size_t threads) {
  ReplicationOptions options;
  options.replications = replications;
  options.threads = threads;
  return runReplications(v.scenario, v.policies, options);
}

std::string summaryJson(const ReplicationResult& result) {
  std::ostringstream out;
  writeReplicatedSummaryJson(out, result.summaries[0], result.metrics);
  return out.str();
}

const AggregatedMetric& metric(const ReplicatedMetrics& m, const std::vector<std::string>& path) {
  const AggregatedMetric* found = m.find(path);
  if (found == nullptr) {
    throw std::runtime_error("no metric " + path.back());
  }
  return *found;
}

TEST(RunParallelTest, EveryJobOnceAndProgressReachesTotal) {
  for (const std::size_t threads : {1u, 3u, 8u}) {
    std::vector<int> runs(20, 0);
    std::size_t calls = 0;
    std::size_t last = 0;
    runParallel(
        runs.size(), threads, [&](std::size_t i) { ++runs[i]; },
        [&](std::size_t done, std::size_t total) {
          ++calls;
          EXPECT_EQ(done, last + 1);
          last = done;
          EXPECT_EQ(total, 20u);
        });
    EXPECT_EQ(runs, std::vector<int>(20, 1)) << threads << " threads";
    EXPECT_EQ(calls, 20u);
  }
}

TEST(RunParallelTest, RethrowsTheLowestFailingJobWhateverTheThreads) {
  for (const std::size_t threads : {1u, 4u}) {
    std::atomic<int> finished{0};
    try {
      runParallel(10, threads, [&](std::size_t i) {
        if (i == 7 || i == 3) {
          throw std::runtime_error("job " + std::to_string(i));
        }
        ++finished;
      });
      FAIL() << "no exception";
    } catch (const std::runtime_error& error) {
      EXPECT_STREQ(error.what(), "job 3");
    }
    EXPECT_EQ(finished.load(), 8);
  }
}

TEST(ReplicationsTest, ThreadCountDoesNotChangeTheAggregates) {
  const auto v = variant();
  const ReplicationResult one = replicate(*v, 4, 1);
  const ReplicationResult three = replicate(*v, 4, 3);
  ASSERT_EQ(one.metrics.metrics().size(), three.metrics.metrics().size());
  for (std::size_t i = 0; i < one.metrics.metrics().size(); ++i) {
    const AggregatedMetric& a = one.metrics.metrics()[i];
    const AggregatedMetric& b = three.metrics.metrics()[i];
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.values, b.values);
    EXPECT_EQ(a.ci.mean, b.ci.mean);
    // NaN-free: both are finite or both infinite; equality covers it.
    EXPECT_EQ(a.ci.half_width, b.ci.half_width);
  }
  EXPECT_EQ(summaryJson(one), summaryJson(three));
}

TEST(ReplicationsTest, ReplicationZeroIsTheSingleRun) {
  const auto v = variant();
  Mesh mesh(v->scenario, v->policies);
  mesh.run();
  const std::vector<Metric> single = flattenSummary(summarizeRun(mesh));
  const ReplicationResult result = replicate(*v, 3, 2);
  const std::vector<Metric> first = flattenSummary(result.summaries[0]);
  ASSERT_EQ(single.size(), first.size());
  for (std::size_t i = 0; i < single.size(); ++i) {
    EXPECT_EQ(single[i].path, first[i].path);
    EXPECT_EQ(single[i].value, first[i].value);
  }
}

TEST(ReplicationsTest, IntervalIsStudentTOverReplicationValues) {
  const auto v = variant();
  const ReplicationResult result = replicate(*v, 4, 2);
  EXPECT_EQ(result.metrics.replications(), 4u);
  for (const std::vector<std::string>& path : std::vector<std::vector<std::string>>{
           {"latency_ms", "mean"}, {"requests", "total"}, {"latency_ms", "p99"}}) {
    const AggregatedMetric& m = metric(result.metrics, path);
    ASSERT_EQ(m.values.size(), 4u);
    // Independent replications: not all equal, so the interval has a positive finite width.
    EXPECT_NE(m.values[0], m.values[1]);
    EXPECT_EQ(m.ci.n, 4u);
    EXPECT_GT(m.ci.half_width, 0.0);
    EXPECT_TRUE(std::isfinite(m.ci.half_width));
    double mean = 0;
    for (const double x : m.values) {
      mean += x / 4;
    }
    double ss = 0;
    for (const double x : m.values) {
      ss += (x - mean) * (x - mean);
    }
    const double half = 3.182446305284263 * std::sqrt(ss / 3) / 2;  // t(0.975, 3) s / sqrt(4)
    EXPECT_NEAR(m.ci.mean, mean, 1e-9 * std::abs(mean));
    EXPECT_NEAR(m.ci.half_width, half, 1e-9 * half);
    // Each replication lies within mean ± (n-1)/sqrt(n)·s (Samuelson), so the interval
    // and the single-run values are about the same place.
    for (const double x : m.values) {
      EXPECT_LE(std::abs(x - mean), 1.5 * std::sqrt(ss / 3) + 1e-9);
    }
    EXPECT_TRUE(m.ci.contains(mean));
  }
  // A metric of replication 0 matches its RunSummary.
  EXPECT_EQ(metric(result.metrics, {"requests", "total"}).values[0],
            static_cast<double>(result.summaries[0].requests));
}

TEST(ReplicatedMetricsTest, AbsentMetricCountsZeroAndJoinsItsGroup) {
  const std::vector<std::vector<Metric>> runs = {
      {{{"edges", "a -> b", "calls"}, 10}, {{"sidecars", "cpu_cores"}, 0.5}},
      {{{"edges", "a -> b", "calls"}, 12},
       {{"edges", "a -> c", "calls"}, 4},
       {{"sidecars", "cpu_cores"}, 0.7}},
  };
  const ReplicatedMetrics m(runs);
  ASSERT_EQ(m.metrics().size(), 3u);
  EXPECT_EQ(m.metrics()[1].path, (std::vector<std::string>{"edges", "a -> c", "calls"}));
  EXPECT_EQ(m.metrics()[1].values, (std::vector<double>{0, 4}));
  EXPECT_EQ(m.metrics()[2].path, (std::vector<std::string>{"sidecars", "cpu_cores"}));
  EXPECT_EQ(m.values({"nothing"}), (std::vector<double>{0, 0}));

  RunSummary header;
  header.version = "v";
  header.scenario = "s";
  header.seed = 1;
  header.duration_s = 2;
  header.warmup_s = 0.5;
  std::ostringstream json;
  writeReplicatedSummaryJson(json, header, m);
  // Mean of {10, 12} = 11, half width t(0.975, 1) * s / sqrt(2) with s = sqrt(2): 12.706...
  EXPECT_EQ(json.str(), R"({
  "meshsim_version": "v",
  "scenario": "s",
  "seed": 1,
  "duration_s": 2,
  "warmup_s": 0.5,
  "warmup_detected": false,
  "replications": 2,
  "edges": {
    "a -> b": {
      "calls": {
        "mean": 11,
        "ci95": 12.70620474
      }
    },
    "a -> c": {
      "calls": {
        "mean": 2,
        "ci95": 25.41240947
      }
    }
  },
  "sidecars": {
    "cpu_cores": {
      "mean": 0.6,
      "ci95": 1.270620474
    }
  }
}
)");
}

TEST(CompareTest, ScenarioAgainstItselfHasZeroDifferences) {
  const auto a = variant();
  const auto b = variant();
  const std::vector<ReplicatedMetrics> results = runVariants({a.get(), b.get()}, 3, 2);
  const std::vector<MetricComparison> rows = compareRuns(results[0], results[1]);
  ASSERT_GE(rows.size(), 8u);  // 4 end-to-end, 2 edges x 2, retries, cpu
  for (const MetricComparison& row : rows) {
    EXPECT_EQ(row.difference.difference.mean, 0.0) << row.metric.label;
    EXPECT_EQ(row.difference.difference.half_width, 0.0) << row.metric.label;
    EXPECT_FALSE(row.difference.significant) << row.metric.label;
    EXPECT_EQ(row.a.mean, row.b.mean);
  }
  EXPECT_EQ(rows[0].metric.label, "success_rate");
}

TEST(CompareTest, ClearChangeIsSignificant) {
  const auto a = variant();
  // Six times the error probability: many more retries and failures.
  const auto b = variant({"services[leaf].versions[v1].errors.probability=0.3"});
  const std::vector<ReplicatedMetrics> results = runVariants({a.get(), b.get()}, 4, 3);
  const std::vector<MetricComparison> rows = compareRuns(results[0], results[1]);
  const auto row = [&](const std::string& label) {
    for (const MetricComparison& r : rows) {
      if (r.metric.label == label) {
        return r;
      }
    }
    throw std::runtime_error("no row " + label);
  };
  EXPECT_TRUE(row("success_rate").difference.significant);
  EXPECT_LT(row("success_rate").difference.difference.mean, 0.0);
  EXPECT_TRUE(row("retries").difference.significant);
  EXPECT_GT(row("retries").difference.difference.mean, 0.0);
  EXPECT_TRUE(row("front -> leaf amplification").difference.significant);

  std::ostringstream table;
  printComparison(table, "a", "b", rows, 4);
  EXPECT_NE(table.str().find(" *\n"), std::string::npos);
}

// A tiny but significant difference gets enough decimals to be read, never "0.000 ±0.000 *".
TEST(CompareTest, SmallSignificantDifferenceIsPrintedWithEnoughDecimals) {
  MetricComparison row{
      {"x amplification", {}}, {1.0, 0.0, 5}, {1.00014, 0.00006, 5}, {{0.00014, 0.00006, 5}, true}};
  std::ostringstream table;
  printComparison(table, "a", "b", {row}, 5);
  EXPECT_NE(table.str().find("0.00014 ±0.00006 *"), std::string::npos) << table.str();
  row.difference = {{0.25, 0.01, 5}, true};
  std::ostringstream plain;
  printComparison(plain, "a", "b", {row}, 5);
  EXPECT_NE(plain.str().find("0.250 ±0.010 *"), std::string::npos) << plain.str();
}

TEST(SweepTest, GridIsTheCartesianProductFirstAxisSlowest) {
  const std::vector<GridAxis> axes = {parseGridAxis("a=1,2"), parseGridAxis("b=x,y,z")};
  const std::vector<std::vector<std::string>> points = gridPoints(axes);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0], (std::vector<std::string>{"a=1", "b=x"}));
  EXPECT_EQ(points[1], (std::vector<std::string>{"a=1", "b=y"}));
  EXPECT_EQ(points[3], (std::vector<std::string>{"a=2", "b=x"}));
  EXPECT_EQ(points[5], (std::vector<std::string>{"a=2", "b=z"}));
  EXPECT_THROW(parseGridAxis("a"), std::invalid_argument);
  EXPECT_THROW(parseGridAxis("=1,2"), std::invalid_argument);
  EXPECT_THROW(parseGridAxis("a=1,,2"), std::invalid_argument);
  EXPECT_THROW(parseGridAxis("a="), std::invalid_argument);
}

TEST(SweepTest, CsvRowsFollowTheGridAndDoNotDependOnThreads) {
  const std::vector<GridAxis> axes = {parseGridAxis("workload.rate=100,200"),
                                      parseGridAxis("services[leaf].versions[v1].replicas=1,2")};
  std::vector<std::unique_ptr<Variant>> variants;
  std::vector<const Variant*> pointers;
  for (const std::vector<std::string>& point : gridPoints(axes)) {
    variants.push_back(variant(point));
    pointers.push_back(variants.back().get());
  }
  const auto csv = [&](std::size_t threads) {
    std::ostringstream out;
    writeSweepCsv(out, axes, runVariants(pointers, 2, threads));
    return out.str();
  };
  const std::string serial = csv(1);
  EXPECT_EQ(serial, csv(3));
  std::vector<std::string> lines;
  std::istringstream in(serial);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].rfind("workload.rate,services[leaf].versions[v1].replicas,success_rate_mean,"
                           "success_rate_ci_low,success_rate_ci_high,",
                           0),
            0u);
  EXPECT_EQ(lines[1].rfind("100,1,", 0), 0u);
  EXPECT_EQ(lines[2].rfind("100,2,", 0), 0u);
  EXPECT_EQ(lines[3].rfind("200,1,", 0), 0u);
  EXPECT_EQ(lines[4].rfind("200,2,", 0), 0u);
  EXPECT_NE(lines[0].find("front_->_leaf_amplification_mean"), std::string::npos);
}

}  // namespace
}  // namespace meshsim::sim
