// Single queueing stations simulated by the real Mesh against queueing theory: M/M/1 at ρ = 0.5
// and 0.9, M/M/c (Erlang C) and M/D/1 (Pollaczek-Khinchine). The scenarios have no sidecar and
// zero network latency, so the end-to-end response time is the station's sojourn time exactly.
#include <gtest/gtest.h>

#include "sim/analysis/queueing.h"
#include "tests/validation/validation_support.h"

namespace meshsim::sim::validation {
namespace {

const std::vector<std::string> kLatencyMs = {"latency_ms", "mean"};

TEST(SingleStationValidation, MM1AtHalfLoad) {
  // W = 1 / (μ - λ) = 1 / (1000 - 500) s = 2 ms. 10 x 60 s (~30,000 requests each).
  // Tolerance: CI contains W or error < 2 %; half width < 5 % of W.
  const ValidationRun run = runValidation("mm1-rho05.yaml", 10);
  EXPECT_TRUE(agrees(run.ci(kLatencyMs), 2.0, 0.05));
  // The app's own view (arrival at the app to response) is the same queue.
  EXPECT_TRUE(agrees(run.ci({"services", "server", "latency_ms", "mean"}), 2.0, 0.05));
  EXPECT_TRUE(agrees(run.ci({"services", "server", "utilization"}), 0.5, 0.05));
}

TEST(SingleStationValidation, MM1NearSaturation) {
  // ρ = 0.9: W = 1 / (1000 - 900) s = 10 ms. The mean converges slowly (asymptotic variance of the
  // queue length 2ρ(1+ρ)/(1-ρ)⁴ in service times), so 20 replications of 100 s after an MSER-5
  // warm-up. Tolerance: CI contains W or error < 2 %; half width < 8 % of W.
  const ValidationRun run = runValidation("mm1-rho09.yaml", 20);
  EXPECT_TRUE(run.variant->scenario.warmup_detection);
  EXPECT_TRUE(agrees(run.ci(kLatencyMs), 10.0, 0.08));
}

TEST(SingleStationValidation, MMcErlangC) {
  // c = 4, μ = 1000/s, λ = 3200/s. Erlang C by hand: a = 3.2, Σ_{k<4} a^k/k! = 14.781333,
  // a⁴/4!/(1-ρ) = 21.845333, C = 21.845333 / 36.626667 = 0.596432; Wq = C / (cμ - λ) =
  // 0.745541 ms; W = 1.745541 ms. sim/analysis/queueing.h must agree with the hand value.
  const MmcMetrics mmc = mmcQueue(3200, 0.001, 4);
  EXPECT_NEAR(mmc.wait_probability, 0.596432, 1e-6);
  EXPECT_NEAR(mmc.mean_response * 1e3, 1.745541, 1e-6);
  // 8 x 30 s (~96,000 requests each). Tolerance: CI contains W or error < 2 %; half width < 5 %.
  const ValidationRun run = runValidation("mmc-c4-rho08.yaml", 8);
  EXPECT_TRUE(agrees(run.ci(kLatencyMs), mmc.mean_response * 1e3, 0.05));
  EXPECT_TRUE(agrees(run.ci({"services", "server", "utilization"}), 0.8, 0.05));
}

TEST(SingleStationValidation, MD1PollaczekKhinchine) {
  // Constant 1 ms service, λ = 800/s, ρ = 0.8: Wq = ρ / (2μ(1 - ρ)) = 2 ms, W = 3 ms (an M/M/1
  // would give 5 ms). 10 x 60 s. Tolerance: CI contains W or error < 2 %; half width < 5 %.
  const ValidationRun run = runValidation("md1-rho08.yaml", 10);
  EXPECT_TRUE(agrees(run.ci(kLatencyMs), 3.0, 0.05));
}

}  // namespace
}  // namespace meshsim::sim::validation
