#pragma once

#include <string>
#include <vector>

// `meshsim sweep SCENARIO --grid key=v1,v2,... [--grid ...] --replications R --threads T --out
// DIR`.
int runSweepCommand(const std::vector<std::string>& args);
