#pragma once

#include <string>
#include <vector>

// `meshsim compare A.yaml [B.yaml] [--set k=v]... --replications R [--threads T]`.
int runCompareCommand(const std::vector<std::string>& args);
