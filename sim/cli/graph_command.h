#pragma once

#include <string>
#include <vector>

// `meshsim graph SCENARIO [--set k=v]...`: the topology as Graphviz DOT on stdout. Exit status 0,
// 2 on bad input.
int runGraphCommand(const std::vector<std::string>& args);
