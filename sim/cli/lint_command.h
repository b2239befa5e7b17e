#pragma once

#include <string>
#include <vector>

// `meshsim lint [--simulate] SCENARIO|MANIFEST...` (sim/lint/).
int runLintCommand(const std::vector<std::string>& args);
