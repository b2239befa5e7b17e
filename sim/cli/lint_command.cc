#include "sim/cli/lint_command.h"

#include <iostream>

#include "sim/lint/lint_main.h"

int runLintCommand(const std::vector<std::string>& args) {
  return meshsim::sim::lintMain(args, std::cout, std::cerr);
}
