#pragma once

#include <ostream>

#include "sim/mesh/mesh.h"

namespace meshsim::sim {

// The compact summary `meshsim run` prints: end-to-end latency and success, then per service and
// per edge, sidecar cost, TLS and engine figures.
void printSummaryTable(std::ostream& out, const Mesh& mesh);

}  // namespace meshsim::sim
