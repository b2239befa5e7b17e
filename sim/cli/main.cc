#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_node.h"
#include "sim/cli/analyze_command.h"
#include "sim/cli/calibrate_tls_command.h"
#include "sim/cli/compare_command.h"
#include "sim/cli/experiment_options.h"
#include "sim/cli/graph_command.h"
#include "sim/cli/lint_command.h"
#include "sim/cli/scenario_arguments.h"
#include "sim/cli/sweep_command.h"
#include "sim/experiment/replicated_report.h"
#include "sim/experiment/replications.h"
#include "sim/mesh/mesh.h"
#include "sim/report/run_outputs.h"
#include "sim/report/run_summary.h"
#include "sim/report/summary_table.h"
#include "sim/scenario/scenario_loader.h"

namespace {

constexpr std::string_view kUsage = R"(meshsim — discrete-event service-mesh simulator

Usage:
  meshsim run SCENARIO [options]   simulate a scenario, print its summary, write its outputs
  meshsim compare A.yaml [B.yaml] [--set key=value]... [--replications R] [--threads T]
                                   A/B comparison with common random numbers
  meshsim sweep SCENARIO --grid key=v1,v2,... [--grid ...] --out DIR [--replications R]
                [--threads T]      run a parameter grid, write DIR/sweep.csv
  meshsim analyze SCENARIO [opts] call graph and analytic model (--set, --simulate, --with-faults)
  meshsim graph SCENARIO [--set]   the topology as Graphviz DOT on stdout
  meshsim lint [--simulate] SCENARIO|MANIFEST...   check mesh policy against practice
  meshsim calibrate-tls [--out FILE] [--iterations N]   measure TLS handshake CPU (OpenSSL)
  meshsim --version                print the version
  meshsim --help                   print this help

Options of `run`:
  --out DIR        run directory (default runs/<scenario-name>-seed<N>); docs/outputs.md
                   describes its files. An earlier run directory there is replaced.
  --no-out         print the summary only, write no files
  --seed N         override the scenario's seed
  --duration D     override the measured duration (e.g. 60s, 5m)
  --set key=value  override any scenario field (repeatable)
  --replications R run R independent replications (default 1) and report 95 % confidence
                   intervals (Student t over replications)
  --threads T      threads for the replications (default: the number of cores); results do
                   not depend on it

Exit status: 0 success, 1 the outputs could not be written, 2 bad input (the message names
file:line:column and key); on bad input no run directory is created.
)";

using meshsim::cli::optionValue;

// A progress bar on stderr, redrawn in place; only used when stderr is a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(double sim_seconds) : sim_seconds_(sim_seconds) {}
  void update(double fraction) {
    constexpr int kWidth = 40;
    const int filled = static_cast<int>(fraction * kWidth + 0.5);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r[%s] %3.0f %%  %.1f / %.1f s simulated", bar.c_str(), 100 * fraction,
                 fraction * sim_seconds_, sim_seconds_);
    std::fflush(stderr);
  }
  void clear() {
    std::fprintf(stderr, "\r%80s\r", "");
    std::fflush(stderr);
  }

 private:
  double sim_seconds_;
};

int badInput(const std::string& message) {
  std::cerr << "meshsim run: " << message << "\n";
  return 2;
}

// `run --replications R` with R > 1: replication 0's files, with summary.json replaced by the
// aggregated one and replications.csv added (docs/outputs.md "Replications").
int runReplicated(const meshsim::sim::Scenario& scenario,
                  const meshsim::sim::ScenarioPolicies& policies, std::size_t replications,
                  std::size_t threads, bool no_out, const std::filesystem::path& directory) {
  meshsim::sim::ReplicationOptions options;
  options.replications = replications;
  options.threads = threads;
  options.keep_first_mesh = !no_out;
  const meshsim::cli::JobCounter counter("run");
  options.progress = [&counter](std::size_t done, std::size_t total) {
    counter.update(done, total);
  };
  {
    const meshsim::sim::ReplicationResult result =
        meshsim::sim::runReplications(scenario, policies, options);
    counter.clear();
    const meshsim::sim::RunSummary& first = result.summaries[0];
    meshsim::sim::printReplicatedTable(std::cout, first, result.metrics);
    if (no_out) {
      return 0;
    }
    try {
      meshsim::sim::writeRunDirectory(
          directory, *result.first_mesh, first,
          {{"summary.json",
            [&](std::ostream& out) {
              meshsim::sim::writeReplicatedSummaryJson(out, first, result.metrics);
            }},
           {"replications.csv",
            [&](std::ostream& out) { meshsim::sim::writeReplicationsCsv(out, result.metrics); }}});
    } catch (const std::exception& error) {
      std::cerr << "meshsim run: " << error.what() << "\n";
      return 1;
    }
  }
  std::cout << "Outputs      " << directory.string() << "\n";
  return 0;
}

int run(const std::vector<std::string>& args) {
  std::string scenario_path;
  std::vector<std::string> overrides;
  std::optional<std::string> out_dir;
  bool no_out = false;
  std::size_t replications = 1;
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
    } else if (auto out = optionValue(args, i, "--out", missing)) {
      out_dir = *out;
    } else if (auto r = optionValue(args, i, "--replications", missing)) {
      const auto count = meshsim::cli::positiveCount(*r, 100000);
      if (!missing && !count) {
        return badInput("--replications needs a positive integer, got '" + *r + "'");
      }
      replications = count.value_or(1);
    } else if (auto t = optionValue(args, i, "--threads", missing)) {
      const auto count = meshsim::cli::positiveCount(*t, 1024);
      if (!missing && !count) {
        return badInput("--threads needs a positive integer, got '" + *t + "'");
      }
      threads = count.value_or(1);
    } else if (arg == "--no-out") {
      no_out = true;
    } else if (!arg.empty() && arg[0] != '-' && scenario_path.empty()) {
      scenario_path = arg;
    } else {
      std::cerr << "meshsim run: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
    if (missing) {
      return badInput("option '" + arg + "' needs a value");
    }
  }
  if (scenario_path.empty()) {
    std::cerr << "meshsim run: missing SCENARIO\n" << kUsage;
    return 2;
  }
  if (no_out && out_dir) {
    return badInput("--out and --no-out exclude each other");
  }
  if (out_dir && out_dir->empty()) {
    return badInput("--out needs a directory");
  }
  const std::unique_ptr<meshsim::sim::Variant> variant =
      meshsim::cli::loadScenarioOrReport(scenario_path, overrides);
  if (!variant) {
    return 2;
  }
  const meshsim::sim::Scenario& scenario = variant->scenario;
  const meshsim::sim::ScenarioPolicies& policies = variant->policies;
  std::filesystem::path directory;
  if (!no_out) {
    directory = out_dir ? std::filesystem::path(*out_dir)
                        : std::filesystem::path("runs") /
                              (scenario.name + "-seed" + std::to_string(scenario.seed));
    if (const auto problem = meshsim::sim::checkRunDirectory(directory)) {
      return badInput(*problem);
    }
  }

  // Every replication measures after the one warm-up the pilot detected.
  meshsim::cli::resolveWarmups("run", {variant.get()}, threads, false);
  if (replications > 1) {
    return runReplicated(scenario, policies, replications, threads, no_out, directory);
  }
  meshsim::sim::Mesh mesh(scenario, policies);
  if (isatty(fileno(stderr)) != 0) {
    ProgressBar bar(meshsim::core::toSeconds(scenario.warmup + scenario.duration));
    mesh.run([&bar](double fraction) { bar.update(fraction); });
    bar.clear();
  } else {
    mesh.run();
  }
  const meshsim::sim::RunSummary summary = meshsim::sim::summarizeRun(mesh);
  meshsim::sim::printSummaryTable(std::cout, summary);
  if (no_out) {
    return 0;
  }
  try {
    meshsim::sim::writeRunDirectory(directory, mesh, summary);
  } catch (const std::exception& error) {
    std::cerr << "meshsim run: " << error.what() << "\n";
    return 1;
  }
  std::cout << "Outputs      " << directory.string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--version") {
    std::cout << "meshsim " << MESHSIM_VERSION << "\n";
    return 0;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "run") {
    return run(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "compare") {
    return runCompareCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "sweep") {
    return runSweepCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "analyze") {
    return runAnalyzeCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "graph") {
    return runGraphCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "lint") {
    return runLintCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "calibrate-tls") {
    return runCalibrateTlsCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::cerr << "meshsim: unknown command '" << args[0] << "'\n" << kUsage;
  return 2;
}
