#include "sim/live/graph_layout.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/fruchterman_reingold.hpp>
#include <boost/graph/topology.hpp>
#include <boost/random/linear_congruential.hpp>
#include <cmath>
#include <numbers>

namespace meshsim::sim {

std::vector<NodePosition> layoutTopology(const MeshTopology& topology) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  using Space = boost::square_topology<boost::minstd_rand>;
  const std::size_t n = topology.nodes.size();
  std::vector<NodePosition> out(n);
  if (n == 1) {
    out[0] = {0.5, 0.5};
  }
  if (n <= 1) {
    return out;
  }
  Graph graph(n);
  for (const TopologyEdge& edge : topology.edges) {
    if (edge.from != edge.to) {
      boost::add_edge(edge.from, edge.to, graph);
    }
  }
  const double side = 100.0 * std::sqrt(static_cast<double>(n));
  boost::minstd_rand generator(1);
  Space space(generator, side / 2);
  std::vector<Space::point_type> points(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double angle = 2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n);
    points[i][0] = side / 3 * std::cos(angle);
    points[i][1] = side / 3 * std::sin(angle);
  }
  auto map = boost::make_iterator_property_map(points.begin(), get(boost::vertex_index, graph));
  boost::fruchterman_reingold_force_directed_layout(
      graph, map, space, boost::cooling(boost::linear_cooling<double>(200)));
  double min_x = points[0][0], max_x = min_x, min_y = points[0][1], max_y = min_y;
  for (const auto& p : points) {
    min_x = std::min(min_x, p[0]);
    max_x = std::max(max_x, p[0]);
    min_y = std::min(min_y, p[1]);
    max_y = std::max(max_y, p[1]);
  }
  const double span = std::max({max_x - min_x, max_y - min_y, 1e-9});
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = {(points[i][0] - min_x) / span, (points[i][1] - min_y) / span};
  }
  return out;
}

}  // namespace meshsim::sim
