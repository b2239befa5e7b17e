#include "sim/cli/graph_command.h"

#include <iostream>

#include "sim/analysis/topology_dot.h"
#include "sim/cli/scenario_arguments.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"

int runGraphCommand(const std::vector<std::string>& args) {
  constexpr const char* kUsage = "usage: meshsim graph SCENARIO [--set key=value]...\n";
  std::string scenario_path;
  std::vector<std::string> overrides;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool missing = false;
    if (auto value = meshsim::cli::optionValue(args, i, "--set", missing)) {
      if (missing) {
        std::cerr << "meshsim graph: option '--set' needs a value\n";
        return 2;
      }
      overrides.push_back(*value);
    } else if (!arg.empty() && arg[0] != '-' && scenario_path.empty()) {
      scenario_path = arg;
    } else {
      std::cerr << "meshsim graph: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (scenario_path.empty()) {
    std::cerr << "meshsim graph: missing SCENARIO\n" << kUsage;
    return 2;
  }
  const std::unique_ptr<meshsim::sim::Variant> loaded =
      meshsim::cli::loadScenarioOrReport(scenario_path, overrides);
  if (!loaded) {
    return 2;
  }
  const meshsim::sim::Scenario& scenario = loaded->scenario;
  const meshsim::sim::ScenarioPolicies& policies = loaded->policies;
  meshsim::sim::writeTopologyDot(std::cout, scenario, policies);
  return 0;
}
