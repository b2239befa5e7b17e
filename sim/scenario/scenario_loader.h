#pragma once

#include <string>
#include <vector>

#include "config/yaml_node.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// Reads, overrides, validates and resolves a scenario file (scenarios/README.md). Every problem is
// a config::ConfigError naming file:line:column and key (the CLI exits with status 2); nothing is
// returned half-built, and `warnings` is only appended to on success.
//
// `set_overrides` are `--set key=value` arguments, applied to the YAML tree before validation:
// `workload.rate=200`, `services[ratings].versions[v1].replicas=3` (list elements by their `name`
// or by index), `faults[0].probability=0.3`. The value is parsed as a YAML scalar or flow node.
// Errors in an override's path or value are reported in file "--set", line 1, at the column of the
// offending part of the `key=value` argument.
//
// Relative paths (policies[].file, faults[].manifest, mtls.cost_profile) resolve against the
// scenario file's directory.
Scenario loadScenario(const std::string& path, const std::vector<std::string>& set_overrides,
                      config::Warnings& warnings);

// As loadScenario, from text; `name` stands for the file in diagnostics and its directory anchors
// relative paths.
Scenario loadScenarioFromString(const std::string& text, const std::string& name,
                                const std::vector<std::string>& set_overrides,
                                config::Warnings& warnings);

}  // namespace meshsim::sim
