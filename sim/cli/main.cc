#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_node.h"
#include "sim/mesh/mesh.h"
#include "sim/report/summary_table.h"
#include "sim/scenario/scenario_loader.h"

namespace {

constexpr std::string_view kUsage = R"(meshsim — discrete-event service-mesh simulator

Usage:
  meshsim run SCENARIO [--seed N] [--set key=value]...   simulate a scenario, print its summary
  meshsim --version                                       print the version
  meshsim --help                                          print this help

Exit status: 0 success, 2 bad input (the message names file:line:column and key).
)";

int run(const std::vector<std::string>& args) {
  std::string scenario_path;
  std::vector<std::string> overrides;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if ((arg == "--set" || arg == "--seed") && i + 1 < args.size()) {
      overrides.push_back(arg == "--set" ? args[++i] : "seed=" + args[++i]);
    } else if (arg.rfind("--set=", 0) == 0) {
      overrides.push_back(arg.substr(6));
    } else if (!arg.empty() && arg[0] != '-' && scenario_path.empty()) {
      scenario_path = arg;
    } else {
      std::cerr << "meshsim run: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (scenario_path.empty()) {
    std::cerr << "meshsim run: missing SCENARIO\n" << kUsage;
    return 2;
  }
  meshsim::config::Warnings warnings;
  meshsim::sim::Scenario scenario;
  try {
    scenario = meshsim::sim::loadScenario(scenario_path, overrides, warnings);
  } catch (const meshsim::config::ConfigError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  }
  meshsim::sim::ScenarioPolicies policies;
  try {
    policies = meshsim::sim::importScenarioPolicies(scenario, warnings);
  } catch (const meshsim::config::ConfigError& error) {
    std::cerr << error.what() << "\n";
    return 2;
  }
  for (const auto& warning : warnings) {
    std::cerr << warning.format() << "\n";
  }
  meshsim::sim::Mesh mesh(scenario, policies);
  mesh.run();
  meshsim::sim::printSummaryTable(std::cout, mesh);
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
  std::cerr << "meshsim: unknown command '" << args[0] << "'\n" << kUsage;
  return 2;
}
