// Open queueing networks simulated by the real Mesh against Jackson's theorem: a tandem of three
// stations and a probabilistic fan-out whose arrival rates come from the traffic equations.
#include <gtest/gtest.h>

#include "sim/analysis/traffic_model.h"
#include "tests/validation/validation_support.h"

namespace meshsim::sim::validation {
namespace {

TEST(NetworkValidation, TandemJacksonNetwork) {
  // λ = 400/s through μ = 1000, 800, 1250 per s: W = 1/600 + 1/400 + 1/850 s = 5.343137 ms end to
  // end; c, the last station, alone 1/850 s = 1.176471 ms. 8 x 60 s (~24,000 requests each).
  // Tolerance: CI contains W or error < 2 %; half width < 5 %.
  const ValidationRun run = runValidation("tandem.yaml", 8);
  EXPECT_TRUE(
      agrees(run.ci({"latency_ms", "mean"}), 1e3 * (1.0 / 600 + 1.0 / 400 + 1.0 / 850), 0.05));
  EXPECT_TRUE(agrees(run.ci({"services", "c", "latency_ms", "mean"}), 1e3 / 850, 0.05));
  // b's app waits for c: its response time is W_b + W_c.
  EXPECT_TRUE(
      agrees(run.ci({"services", "b", "latency_ms", "mean"}), 1e3 * (1.0 / 400 + 1.0 / 850), 0.05));
}

TEST(NetworkValidation, ProbabilisticFanOutJacksonNetwork) {
  const ValidationRun run = runValidation("fanout.yaml", 8);
  const Scenario& scenario = run.variant->scenario;
  // 8 x 60 s (~30,000 requests each). Traffic equations λ = λ0 + Pᵀλ (sim/analysis, Eigen)
  // against the hand solution 500, 300, 400.
  const TrafficAnalysis traffic = solveTraffic(scenario, run.variant->policies);
  const std::vector<double> expected = {500, 300, 400};
  const std::vector<double> mu = {1000, 600, 800};
  for (std::size_t s = 0; s < 3; ++s) {
    EXPECT_NEAR(traffic.service_rates[s], expected[s], 1e-9);
    // Simulated arrival rates. Tolerance: CI contains λ or error < 2 %; half width < 5 %.
    EXPECT_TRUE(agrees(run.ci({"services", scenario.services[s].name, "rps"}), expected[s], 0.05))
        << scenario.services[s].name;
  }
  // Each visit is an M/M/1 sojourn 1 / (μ - λ): 2, 3.333, 2.5 ms. c is a leaf: its app latency is
  // its sojourn. End to end: W_front + 0.6 (W_b + 0.5 W_c) + 0.5 W_c = 6 ms.
  // Tolerance: CI contains W or error < 2 %; half width < 5 %.
  std::vector<double> sojourn_ms;
  for (std::size_t s = 0; s < 3; ++s) {
    sojourn_ms.push_back(1e3 / (mu[s] - traffic.service_rates[s]));
  }
  EXPECT_TRUE(agrees(run.ci({"services", "c", "latency_ms", "mean"}), sojourn_ms[2], 0.05));
  EXPECT_TRUE(agrees(
      run.ci({"latency_ms", "mean"}),
      sojourn_ms[0] + 0.6 * (sojourn_ms[1] + 0.5 * sojourn_ms[2]) + 0.5 * sojourn_ms[2], 0.05));
}

}  // namespace
}  // namespace meshsim::sim::validation
