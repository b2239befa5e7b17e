#pragma once

#include <vector>

#include "sim/live/mesh_topology.h"

namespace meshsim::sim {

struct NodePosition {
  double x = 0;  // within [0, 1]
  double y = 0;
};

// Positions for the topology view: Fruchterman–Reingold force-directed layout (Boost.Graph) of
// the call graph, started from the nodes on a circle in scenario order and with a fixed random
// generator, so the same scenario always gets the same picture. Scaled into the unit square.
std::vector<NodePosition> layoutTopology(const MeshTopology& topology);

}  // namespace meshsim::sim
