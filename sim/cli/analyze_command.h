#pragma once

#include <string>
#include <vector>

// `meshsim analyze SCENARIO [--set k=v]... [--simulate] [--with-faults]`: the call graph and the
// analytic queueing model of a scenario, before (or beside) any simulation. Exit status 0, 1 when
// the call graph has a cycle, 2 on bad input.
int runAnalyzeCommand(const std::vector<std::string>& args);
