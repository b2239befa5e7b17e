// Layered retry amplification simulated by the real Mesh (the proxy core's retry state machine
// in every sidecar, app-level retries in every app) against the closed forms over two hops.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/analysis/traffic_model.h"
#include "tests/validation/validation_support.h"

namespace meshsim::sim::validation {
namespace {

// Per hop with one app retry over two mesh retries, callee failing with q per attempt: attempts
// per call (1 - q⁶) / (1 - q), app requests per call (1 - q⁶) / (1 - q³), failure q⁶.
double attemptsPerCall(double q) {
  return (1 - std::pow(q, 6)) / (1 - q);
}
double requestsPerCall(double q) {
  return (1 - std::pow(q, 6)) / (1 - std::pow(q, 3));
}

// attempts / calls of an edge, per replication.
std::vector<double> ratio(const ValidationRun& run, const std::string& edge, const char* what) {
  const std::vector<double> numerator = run.values({"edges", edge, what});
  const std::vector<double> calls = run.values({"edges", edge, "calls"});
  std::vector<double> out;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    out.push_back(numerator[i] / calls[i]);
  }
  return out;
}

TEST(RetryAmplificationValidation, MeshRetriesUnderAppRetriesOverTwoHops) {
  const double p = 0.8;                                // leaf's failure probability
  const double q_mid = std::pow(p, 6);                 // mid fails when its call to leaf does
  const double leaf_per_call = attemptsPerCall(p);     // 3.68928
  const double mid_per_call = attemptsPerCall(q_mid);  // 1.35484
  // 8 x 60 s at 200 req/s (~12,000 requests each; leaf sees ~60,000 attempts).
  // Tolerance for every ratio: CI contains the closed form or error < 2 %; half width < 5 %.
  const ValidationRun run = runValidation("layered-retries.yaml", 8);
  EXPECT_TRUE(agrees(studentT95(ratio(run, "mid -> leaf", "attempts")), leaf_per_call, 0.05));
  EXPECT_TRUE(agrees(studentT95(ratio(run, "mid -> leaf", "requests")), requestsPerCall(p), 0.05));
  EXPECT_TRUE(agrees(studentT95(ratio(run, "front -> mid", "attempts")), mid_per_call, 0.05));
  // mid's calls to leaf fail with p⁶ = 0.262: what mid passes up as 500s.
  EXPECT_TRUE(agrees(studentT95(ratio(run, "mid -> leaf", "failed_calls")), q_mid, 0.05));
  // Attempts at leaf per end-to-end request: the product of the per-hop factors, 4.998.
  const std::vector<double> leaf = run.values({"edges", "mid -> leaf", "attempts"});
  const std::vector<double> requests = run.values({"edges", "client -> front", "calls"});
  std::vector<double> per_request;
  for (std::size_t i = 0; i < leaf.size(); ++i) {
    per_request.push_back(leaf[i] / requests[i]);
  }
  EXPECT_TRUE(agrees(studentT95(per_request), mid_per_call * leaf_per_call, 0.05));
  // `meshsim analyze`'s model gives the same figures (failures propagated up the call graph).
  const TrafficAnalysis traffic = solveTraffic(run.variant->scenario, run.variant->policies);
  const std::size_t leaf_index = *run.variant->scenario.findService("leaf");
  EXPECT_NEAR(traffic.service_rates[leaf_index] / traffic.entry_rate, mid_per_call * leaf_per_call,
              1e-9);
}

}  // namespace
}  // namespace meshsim::sim::validation
