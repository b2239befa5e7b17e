// `meshsim calibrate-tls`, as a library function so that tests drive it like the CLI does.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace meshsim::sim {

// args: [--out FILE] [--iterations N]. Writes the profile to FILE (and a table of the measured
// handshakes to `out`), or the profile to `out` when no --out is given. Exit status: 0 success,
// 1 the measurement or the file failed, 2 bad arguments.
int calibrateTlsMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The machine the measurement ran on, for the profile's header: "/proc/cpuinfo model name, N
// hardware threads" where available.
std::string describeMachine();

}  // namespace meshsim::sim
