// Helpers for the validation suite: run a scenario of tests/validation/scenarios/ through the real
// Mesh with replications (as `meshsim run --replications` does) and judge a simulated figure
// against its analytic value by the rule.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/experiment/replications.h"
#include "sim/experiment/warmup_pilot.h"
#include "sim/stats/confidence_interval.h"

namespace meshsim::sim::validation {

// Every test runs its replications on two threads: the results do not depend on it.
inline constexpr std::size_t kThreads = 2;

struct ValidationRun {
  std::unique_ptr<Variant> variant;
  ReplicationResult result;

  // The per-replication values of a summary.json path, and their Student t 95 % interval.
  std::vector<double> values(const std::vector<std::string>& path) const {
    return result.metrics.values(path);
  }
  ConfidenceInterval ci(const std::vector<std::string>& path) const {
    return studentT95(values(path));
  }
};

// Loads tests/validation/scenarios/<file> with the normal loader (no warnings expected),
// resolves `warmup: auto` and runs `replications` replications.
inline ValidationRun runValidation(const std::string& file, std::size_t replications) {
  ValidationRun run;
  const std::filesystem::path path =
      std::filesystem::path(__FILE__).parent_path() / "scenarios" / file;
  config::Warnings warnings;
  run.variant = loadVariant(path.string(), {}, warnings);
  EXPECT_TRUE(warnings.empty()) << file << ": " << warnings.front().format();
  resolveAutoWarmups({run.variant.get()}, kThreads, false);
  ReplicationOptions options;
  options.replications = replications;
  options.threads = kThreads;
  run.result = runReplications(run.variant->scenario, run.variant->policies, options);
  return run;
}

// The acceptance rule for one figure: the 95 % interval over replications contains the
// analytic value, or the relative error of the mean is under `relative` (2 %). So that the first
// branch cannot pass by a useless interval, its half width must also be under `max_half_width`
// (relative to the analytic value), which each test states.
inline ::testing::AssertionResult agrees(const ConfidenceInterval& ci, double analytic,
                                         double max_half_width, double relative = 0.02) {
  char text[320];
  const double error = (ci.mean - analytic) / analytic;
  std::snprintf(text, sizeof(text),
                "simulated %.6g ± %.3g (95 %% CI, n = %zu), analytic %.6g, relative error "
                "%+.2f %%; rule: CI contains it or |error| < %.1f %%, CI half width < %.1f %%",
                ci.mean, ci.half_width, ci.n, analytic, 100 * error, 100 * relative,
                100 * max_half_width);
  if (!(ci.half_width < max_half_width * std::abs(analytic))) {
    return ::testing::AssertionFailure() << "interval too wide: " << text;
  }
  if (ci.contains(analytic) || std::abs(error) < relative) {
    return ::testing::AssertionSuccess() << text;
  }
  return ::testing::AssertionFailure() << text;
}

}  // namespace meshsim::sim::validation
