// The mesh's app model against queueing theory, and the cost a sidecar adds (issue 4, item 8).
// One replica with one worker, exponential service and Poisson arrivals is an M/M/1 FIFO queue:
// mean sojourn W = 1 / (mu - lambda). Independent replications (RandomStream replication index)
// give a Student-t 95 % interval that must contain W.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/stats/confidence_interval.h"
#include "tests/sim/mesh/mesh_test_support.h"

namespace meshsim::sim {
namespace {

constexpr double kLambda = 500;  // arrivals per second
constexpr double kMu = 1000;     // services per second (mean 1 ms)
constexpr int kReplications = 10;
constexpr double kSidecarCpu = 200e-6;  // cpu_per_request, seconds

std::string queueScenario(bool sidecar) {
  return std::string(R"(
name: mm1
seed: 21
duration: 20s
warmup: 2s
links: {default: {latency: 0}}
sidecar: {workers: 2, cpu_per_request: 200us}
services:
  - name: server
    sidecar: )") +
         (sidecar ? "true" : "false") + R"(
    versions:
      - {name: v1, concurrency: 1, service_time: {exponential: {mean: 1ms}}}
workload: {kind: open, arrivals: poisson, rate: 500, mix: [{service: server}]}
)";
}

struct Replication {
  double app_mean = 0;         // seconds, arrival at the app to response
  double end_to_end_mean = 0;  // seconds, as the load generator sees it
};

Replication runReplication(bool sidecar, std::uint64_t replication) {
  auto run = testing::runMesh(queueScenario(sidecar), replication);
  Mesh& mesh = **run;
  const ServiceMetrics& server = mesh.metrics().services[0];
  EXPECT_GT(server.completed, 8000u);
  EXPECT_EQ(server.rejected, 0u);
  return {server.latency.mean() * 1e-9, mesh.metrics().latency.mean() * 1e-9};
}

TEST(MeshQueueingTest, SingleWorkerReplicaIsAnMM1Queue) {
  std::vector<double> means;
  for (int r = 0; r < kReplications; ++r) {
    means.push_back(runReplication(false, static_cast<std::uint64_t>(r)).app_mean);
  }
  const ConfidenceInterval ci = studentT95(means);
  const double w = 1.0 / (kMu - kLambda);  // 2 ms
  EXPECT_TRUE(ci.contains(w)) << "W = " << w << ", CI " << ci.lower() << " .. " << ci.upper();
  // The interval must be informative enough to catch a wrong model (e.g. M/D/1's 1.5 ms).
  EXPECT_LT(ci.half_width, 0.1 * w);
}

TEST(MeshQueueingTest, SidecarAddsAtLeastItsCpuPerRequest) {
  // Common random numbers: replication r of both variants shares its arrival and service-time
  // streams, so the paired differences isolate the sidecar's cost. The inbound sidecar charges
  // cpu_per_request / 2 on the request and again on the response, plus queueing for its two
  // workers. Its FIFO passes of equal length never reorder requests, so the app serves the same
  // requests with the same service times in the same order, only later; by the FIFO (Lindley)
  // recursion a departure time never decreases when arrivals are delayed, hence every request
  // takes at least cpu_per_request longer: the bound is exact, not statistical.
  std::vector<double> without;
  std::vector<double> with;
  for (int r = 0; r < kReplications; ++r) {
    without.push_back(runReplication(false, static_cast<std::uint64_t>(r)).end_to_end_mean);
    with.push_back(runReplication(true, static_cast<std::uint64_t>(r)).end_to_end_mean);
  }
  const PairedComparison diff = pairedDifference(with, without);
  EXPECT_TRUE(diff.significant);
  EXPECT_GE(diff.difference.mean, kSidecarCpu)
      << "difference " << diff.difference.mean << " +- " << diff.difference.half_width;
  // Sidecar utilisation is lambda * cpu / workers = 5 %: its queueing adds little, so the extra
  // latency stays close to the CPU cost (a loose upper bound to catch double charging).
  EXPECT_LT(diff.difference.mean, 1.5 * kSidecarCpu);
  for (int r = 0; r < kReplications; ++r) {
    EXPECT_GT(with[static_cast<std::size_t>(r)], without[static_cast<std::size_t>(r)]);
  }
}

}  // namespace
}  // namespace meshsim::sim
