#include "sim/cli/compare_command.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "sim/cli/experiment_options.h"
#include "sim/experiment/comparison.h"
#include "sim/experiment/replications.h"

namespace {

constexpr std::string_view kCompareUsage = R"(Usage:
  meshsim compare A.yaml [B.yaml] [--set key=value]... [--replications R] [--threads T]
                   [--seed N] [--duration D]

With one file, B is A with the --set overrides applied; with two files, the overrides apply to
both. Both variants run R replications (default 10) with the same seeds and replication indices
(common random numbers); the table shows each key metric for A and B with 95 % intervals and the
paired difference B - A, '*' marking the significant ones.
)";

int badInput(const std::string& message) {
  std::cerr << "meshsim compare: " << message << "\n" << kCompareUsage;
  return 2;
}

}  // namespace

int runCompareCommand(const std::vector<std::string>& args) {
  using meshsim::cli::optionValue;
  using meshsim::cli::positiveCount;
  std::vector<std::string> files;
  std::vector<std::string> common;  // apply to both variants
  std::vector<std::string> sets;
  std::size_t replications = 10;
  std::size_t threads = meshsim::cli::defaultThreads();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool missing = false;
    if (auto value = optionValue(args, i, "--set", missing)) {
      sets.push_back(*value);
    } else if (auto seed = optionValue(args, i, "--seed", missing)) {
      common.push_back("seed=" + *seed);
    } else if (auto duration = optionValue(args, i, "--duration", missing)) {
      common.push_back("duration=" + *duration);
    } else if (auto r = optionValue(args, i, "--replications", missing)) {
      const auto count = positiveCount(*r, 100000);
      if (!missing && !count) {
        return badInput("--replications needs a positive integer, got '" + *r + "'");
      }
      replications = count.value_or(0);
    } else if (auto t = optionValue(args, i, "--threads", missing)) {
      const auto count = positiveCount(*t, 1024);
      if (!missing && !count) {
        return badInput("--threads needs a positive integer, got '" + *t + "'");
      }
      threads = count.value_or(0);
    } else if (!arg.empty() && arg[0] != '-' && files.size() < 2) {
      files.push_back(arg);
    } else {
      return badInput("unexpected argument '" + arg + "'");
    }
    if (missing) {
      return badInput("option '" + arg + "' needs a value");
    }
  }
  if (files.empty()) {
    return badInput("missing scenario A");
  }
  if (files.size() == 1 && sets.empty()) {
    return badInput("with one scenario, give at least one --set for variant B");
  }
  meshsim::config::Warnings warnings;
  std::unique_ptr<meshsim::sim::Variant> a;
  std::unique_ptr<meshsim::sim::Variant> b;
  std::vector<std::string> a_overrides = common;
  std::vector<std::string> b_overrides = common;
  b_overrides.insert(b_overrides.end(), sets.begin(), sets.end());
  if (files.size() == 2) {
    a_overrides = b_overrides;
  }
  try {
    a = meshsim::sim::loadVariant(files[0], a_overrides, warnings);
    b = meshsim::sim::loadVariant(files.back(), b_overrides, warnings);
  } catch (const meshsim::config::ConfigError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  }
  for (const auto& warning : warnings) {
    std::cerr << warning.format() << "\n";
  }
  std::ostringstream b_name;
  if (files.size() == 1) {
    b_name << 'A';
    for (const std::string& set : sets) {
      b_name << " --set " << set;
    }
  } else {
    b_name << files[1];
  }
  // `warmup: auto`: both variants measure after the larger of their warm-ups, so that replication
  // r of A and of B cover the same window (common random numbers stay paired).
  meshsim::cli::resolveWarmups("compare", {a.get(), b.get()}, threads, true);
  const meshsim::cli::JobCounter counter("compare");
  const std::vector<meshsim::sim::ReplicatedMetrics> results = meshsim::sim::runVariants(
      {a.get(), b.get()}, replications, threads,
      [&counter](std::size_t done, std::size_t total) { counter.update(done, total); });
  counter.clear();
  meshsim::sim::printComparison(std::cout, files[0], b_name.str(),
                                meshsim::sim::compareRuns(results[0], results[1]), replications);
  return 0;
}
