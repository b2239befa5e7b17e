// `meshsim lint`, as a library function so that tests drive it like the CLI does.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace meshsim::sim {

// args: [--simulate] FILE... where each FILE is a scenario or a file of Istio manifests (told
// apart by their content: manifests have `kind`). Each scenario is linted on its own; all bare
// manifest files together form one mesh. Findings go to `out`, one block each, sorted by severity
// then file:line, followed by a count. Exit status: 1 if any finding is an error, else 0; 2 on bad
// input or arguments (the message names file:line:column and key; nothing is printed to `out`).
int lintMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace meshsim::sim
