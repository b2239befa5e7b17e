#include "sim/cli/analyze_command.h"

#include <iostream>

#include "sim/analysis/analysis_report.h"
#include "sim/analysis/call_graph.h"
#include "sim/analysis/traffic_model.h"
#include "sim/cli/experiment_options.h"
#include "sim/cli/scenario_arguments.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/report/run_summary.h"
#include "sim/scenario/scenario_loader.h"

int runAnalyzeCommand(const std::vector<std::string>& args) {
  constexpr const char* kUsage =
      "usage: meshsim analyze SCENARIO [--set key=value]... [--simulate] [--with-faults]\n";
  std::string scenario_path;
  std::vector<std::string> overrides;
  bool simulate = false;
  meshsim::sim::TrafficOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool missing = false;
    if (auto value = meshsim::cli::optionValue(args, i, "--set", missing)) {
      if (missing) {
        std::cerr << "meshsim analyze: option '--set' needs a value\n";
        return 2;
      }
      overrides.push_back(*value);
    } else if (arg == "--simulate") {
      simulate = true;
    } else if (arg == "--with-faults") {
      options.include_error_faults = true;
    } else if (!arg.empty() && arg[0] != '-' && scenario_path.empty()) {
      scenario_path = arg;
    } else {
      std::cerr << "meshsim analyze: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (scenario_path.empty()) {
    std::cerr << "meshsim analyze: missing SCENARIO\n" << kUsage;
    return 2;
  }
  const std::unique_ptr<meshsim::sim::Variant> loaded =
      meshsim::cli::loadScenarioOrReport(scenario_path, overrides);
  if (!loaded) {
    return 2;
  }
  const meshsim::sim::Scenario& scenario = loaded->scenario;
  if (simulate) {
    // The simulated side measures the steady state the analytic model describes.
    meshsim::cli::resolveWarmups("analyze", {loaded.get()}, 1, false);
  }
  const meshsim::sim::ScenarioPolicies& policies = loaded->policies;
  const meshsim::sim::CallGraphAnalysis graph = meshsim::sim::analyzeCallGraph(scenario, policies);
  const meshsim::sim::TrafficAnalysis traffic =
      meshsim::sim::solveTraffic(scenario, policies, options);
  meshsim::sim::printAnalysis(std::cout, scenario, graph, traffic);
  if (simulate) {
    meshsim::sim::Mesh mesh(scenario, policies);
    mesh.run();
    meshsim::sim::printSimulationComparison(std::cout, scenario, traffic,
                                            meshsim::sim::summarizeRun(mesh));
  }
  return meshsim::sim::hasErrors(graph) ? 1 : 0;
}
