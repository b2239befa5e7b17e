// A closed loop (users with think time) simulated by the real Mesh against exact mean value
// analysis, and Little's law over the whole loop.
#include <gtest/gtest.h>

#include "sim/analysis/queueing.h"
#include "tests/validation/validation_support.h"

namespace meshsim::sim::validation {
namespace {

TEST(ClosedLoopValidation, MeanValueAnalysisAndLittlesLaw) {
  // N = 10, Z = 20 ms, demands 2 ms (front) and 3 ms (back): exact MVA (the library's
  // solveClosedNetwork, which `meshsim analyze` uses) gives X = 290.4587/s and R = 14.4283 ms
  // (checked by hand below through Little's law on the MVA result itself).
  const ClosedNetworkSolution mva = solveClosedNetwork({{0.002, 1}, {0.003, 1}}, 0.020, 10);
  EXPECT_NEAR(mva.throughput * (mva.response + 0.020), 10.0, 1e-9);
  EXPECT_NEAR(mva.throughput, 290.4587, 1e-4);
  EXPECT_NEAR(mva.response * 1e3, 14.4283, 1e-4);

  // 8 x 120 s (~35,000 requests each). Tolerance: CI contains the MVA value or error < 2 %; half
  // width < 5 %.
  const ValidationRun run = runValidation("closed-loop.yaml", 8);
  EXPECT_TRUE(agrees(run.ci({"requests", "rps"}), mva.throughput, 0.05));
  EXPECT_TRUE(agrees(run.ci({"latency_ms", "mean"}), mva.response * 1e3, 0.05));

  // Little's law on the simulated figures of each replication: N = X (R + Z), with Z the think
  // time's mean. Tolerance: CI contains N or error < 2 %; half width < 5 %.
  const std::vector<double> x = run.values({"requests", "rps"});
  const std::vector<double> r = run.values({"latency_ms", "mean"});
  std::vector<double> users;
  for (std::size_t i = 0; i < x.size(); ++i) {
    users.push_back(x[i] * (r[i] * 1e-3 + 0.020));
  }
  EXPECT_TRUE(agrees(studentT95(users), 10.0, 0.05));
}

}  // namespace
}  // namespace meshsim::sim::validation
