#pragma once

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_node.h"
#include "sim/experiment/replications.h"

namespace meshsim::cli {

// Value of `--name VALUE` or `--name=VALUE` at args[i] (advancing i), or nullopt if args[i] is
// not that option. Sets `missing` when the value is absent.
inline std::optional<std::string> optionValue(const std::vector<std::string>& args, std::size_t& i,
                                              std::string_view name, bool& missing) {
  const std::string& arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) {
      missing = true;
      return std::string();
    }
    return args[++i];
  }
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
      arg[name.size()] == '=') {
    return arg.substr(name.size() + 1);
  }
  return std::nullopt;
}

// Loads a scenario and its Istio manifests for a command: a bad input is printed (file:line:column
// and key) and yields nullptr, for exit status 2; warnings go to stderr.
inline std::unique_ptr<sim::Variant> loadScenarioOrReport(
    const std::string& path, const std::vector<std::string>& overrides) {
  config::Warnings warnings;
  std::unique_ptr<sim::Variant> variant;
  try {
    variant = sim::loadVariant(path, overrides, warnings);
  } catch (const config::ConfigError& error) {
    std::cerr << error.what() << "\n";
    return nullptr;
  }
  for (const auto& warning : warnings) {
    std::cerr << warning.format() << "\n";
  }
  return variant;
}

}  // namespace meshsim::cli
