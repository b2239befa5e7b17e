#include "sim/cli/sweep_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "sim/cli/experiment_options.h"
#include "sim/experiment/replications.h"
#include "sim/experiment/sweep.h"

namespace {

constexpr std::string_view kSweepUsage = R"(Usage:
  meshsim sweep SCENARIO --grid key=v1,v2,... [--grid ...] --out DIR [--replications R]
                [--threads T] [--set key=value]... [--seed N] [--duration D]

Runs every point of the grid (the cartesian product of the --grid axes, each value applied as
--set key=value) R times (default 5), all simulations in one parallel pool, and writes
DIR/sweep.csv: one row per point, first axis slowest, with the mean and 95 % interval bounds of
the key metrics. The file is the same whatever the thread count.
)";

int badInput(const std::string& message) {
  std::cerr << "meshsim sweep: " << message << "\n" << kSweepUsage;
  return 2;
}

}  // namespace

int runSweepCommand(const std::vector<std::string>& args) {
  using meshsim::cli::optionValue;
  using meshsim::cli::positiveCount;
  std::string scenario_path;
  std::vector<std::string> overrides;
  std::vector<meshsim::sim::GridAxis> axes;
  std::optional<std::string> out_dir;
  std::size_t replications = 5;
  std::size_t threads = meshsim::cli::defaultThreads();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool missing = false;
    if (auto value = optionValue(args, i, "--set", missing)) {
      overrides.push_back(*value);
    } else if (auto seed = optionValue(args, i, "--seed", missing)) {
      overrides.push_back("seed=" + *seed);
    } else if (auto duration = optionValue(args, i, "--duration", missing)) {
      overrides.push_back("duration=" + *duration);
    } else if (auto grid = optionValue(args, i, "--grid", missing)) {
      if (!missing) {
        try {
          axes.push_back(meshsim::sim::parseGridAxis(*grid));
        } catch (const std::invalid_argument& error) {
          return badInput(error.what());
        }
      }
    } else if (auto out = optionValue(args, i, "--out", missing)) {
      out_dir = *out;
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
    } else if (!arg.empty() && arg[0] != '-' && scenario_path.empty()) {
      scenario_path = arg;
    } else {
      return badInput("unexpected argument '" + arg + "'");
    }
    if (missing) {
      return badInput("option '" + arg + "' needs a value");
    }
  }
  if (scenario_path.empty()) {
    return badInput("missing SCENARIO");
  }
  if (axes.empty()) {
    return badInput("give at least one --grid key=v1,v2,...");
  }
  if (!out_dir || out_dir->empty()) {
    return badInput("--out DIR is required");
  }
  namespace fs = std::filesystem;
  const fs::path directory(*out_dir);
  std::error_code ec;
  if (fs::exists(directory, ec) && !fs::is_directory(directory, ec)) {
    return badInput("--out " + *out_dir + " exists and is not a directory");
  }

  // Every point is loaded (and so validated) before anything runs: a bad value anywhere in the
  // grid costs nothing.
  const std::vector<std::vector<std::string>> points = meshsim::sim::gridPoints(axes);
  std::vector<std::unique_ptr<meshsim::sim::Variant>> variants;
  std::vector<const meshsim::sim::Variant*> pointers;
  meshsim::config::Warnings warnings;
  std::size_t first_point_warnings = 0;
  try {
    for (const std::vector<std::string>& point : points) {
      std::vector<std::string> point_overrides = overrides;
      point_overrides.insert(point_overrides.end(), point.begin(), point.end());
      variants.push_back(meshsim::sim::loadVariant(scenario_path, point_overrides, warnings));
      pointers.push_back(variants.back().get());
      if (variants.size() == 1) {
        first_point_warnings = warnings.size();
      }
    }
  } catch (const meshsim::config::ConfigError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  }
  // Every point repeats the base scenario's warnings: print one point's.
  for (std::size_t w = 0; w < first_point_warnings; ++w) {
    std::cerr << warnings[w].format() << "\n";
  }

  // `warmup: auto`: each point has its own transient (a higher rate settles later), so each
  // detects its own warm-up.
  std::vector<meshsim::sim::Variant*> mutable_points;
  for (const auto& variant : variants) {
    mutable_points.push_back(variant.get());
  }
  meshsim::cli::resolveWarmups("sweep", mutable_points, threads, false);
  const meshsim::cli::JobCounter counter("sweep");
  const std::vector<meshsim::sim::ReplicatedMetrics> results = meshsim::sim::runVariants(
      pointers, replications, threads,
      [&counter](std::size_t done, std::size_t total) { counter.update(done, total); });
  counter.clear();

  try {
    fs::create_directories(directory);
    const fs::path temporary = directory / ".sweep.csv.tmp";
    {
      std::ofstream out(temporary, std::ios::binary);
      meshsim::sim::writeSweepCsv(out, axes, results);
      out.close();
      if (!out) {
        throw std::runtime_error("cannot write " + temporary.string());
      }
    }
    fs::rename(temporary, directory / "sweep.csv");
  } catch (const std::exception& error) {
    std::cerr << "meshsim sweep: " << error.what() << "\n";
    return 1;
  }
  std::cout << "meshsim sweep: " << points.size() << " points x " << replications
            << " replications -> " << (directory / "sweep.csv").string() << "\n";
  return 0;
}
