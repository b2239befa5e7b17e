#include "sim/analysis/call_graph.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>
#include <map>
#include <utility>

#include "sim/analysis/call_routing.h"

namespace meshsim::sim {

namespace {

using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property,
                          boost::property<boost::edge_index_t, std::size_t>>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
using EdgeDescriptor = boost::graph_traits<Graph>::edge_descriptor;

class BackEdgeRecorder : public boost::default_dfs_visitor {
 public:
  explicit BackEdgeRecorder(std::vector<std::pair<Vertex, Vertex>>& back_edges)
      : back_edges_(&back_edges) {}
  void back_edge(EdgeDescriptor e, const Graph& g) {
    back_edges_->emplace_back(boost::source(e, g), boost::target(e, g));
  }

 private:
  std::vector<std::pair<Vertex, Vertex>>* back_edges_;
};

// Breadth-first predecessors from `start` (start's own entry is itself; unreached = npos).
std::vector<std::size_t> predecessorsFrom(const Graph& graph, Vertex start) {
  constexpr std::size_t kUnreached = static_cast<std::size_t>(-1);
  std::vector<std::size_t> predecessor(boost::num_vertices(graph), kUnreached);
  predecessor[start] = start;
  boost::breadth_first_search(graph, start,
                              boost::visitor(boost::make_bfs_visitor(boost::record_predecessors(
                                  boost::make_iterator_property_map(
                                      predecessor.begin(), boost::get(boost::vertex_index, graph)),
                                  boost::on_tree_edge()))));
  return predecessor;
}

class PathWalker {
 public:
  PathWalker(const Graph& graph, const std::vector<CallEdge>& edges, CallGraphAnalysis& out)
      : graph_(graph), edges_(edges), out_(out) {}

  void walk(Vertex vertex, double m5xx, double mconnect) {
    if (out_.paths_truncated) {
      return;
    }
    path_.push_back(static_cast<Index>(vertex));
    bool extended = false;
    for (auto [it, end] = boost::out_edges(vertex, graph_); it != end; ++it) {
      const Vertex next = boost::target(*it, graph_);
      if (std::find(path_.begin(), path_.end(), next) != path_.end()) {
        continue;  // a cycle, reported separately
      }
      extended = true;
      const CallEdge& edge = edges_[boost::get(boost::edge_index, graph_, *it)];
      walk(next, m5xx * edge.multiplier_5xx, mconnect * edge.multiplier_connect);
    }
    if (!extended && path_.size() > 1) {
      if (out_.paths.size() >= CallGraphAnalysis::kMaxPaths) {
        out_.paths_truncated = true;
      } else {
        out_.paths.push_back(CallPath{path_, m5xx, mconnect});
      }
    }
    path_.pop_back();
  }

 private:
  const Graph& graph_;
  const std::vector<CallEdge>& edges_;
  CallGraphAnalysis& out_;
  std::vector<Index> path_;
};

}  // namespace

const CallEdge* CallGraphAnalysis::edge(Index from, Index to) const {
  for (const CallEdge& e : edges) {
    if (e.from == from && e.to == to) {
      return &e;
    }
  }
  return nullptr;
}

CallGraphAnalysis analyzeCallGraph(const Scenario& scenario, const ScenarioPolicies& policies) {
  CallGraphAnalysis out;
  const std::size_t service_count = scenario.services.size();
  for (const ServiceSpec& service : scenario.services) {
    out.names.push_back(service.name);
  }
  out.names.push_back("load-generator");
  const Index load_generator = out.loadGenerator();
  out.max_parallel.assign(out.names.size(), 0);

  // The header sets requests can carry: one per mix entry.
  std::vector<HeaderPairs> header_sets;
  for (const MixEntry& entry : scenario.workload.mix) {
    if (std::find(header_sets.begin(), header_sets.end(), entry.headers) == header_sets.end()) {
      header_sets.push_back(entry.headers);
    }
  }
  if (header_sets.empty()) {
    header_sets.emplace_back();
  }

  const CallRouter router(scenario, policies);
  std::map<std::pair<Index, Index>, CallEdge> edges;
  const auto edgeOf = [&](Index from, Index to) -> CallEdge& {
    CallEdge& edge = edges[{from, to}];
    edge.from = from;
    edge.to = to;
    return edge;
  };
  for (const MixEntry& entry : scenario.workload.mix) {
    CallEdge& edge = edgeOf(load_generator, entry.service);
    ++edge.calls;
    edge.max_probability = 1.0;
  }
  for (Index s = 0; s < service_count; ++s) {
    for (const VersionSpec& version : scenario.services[s].versions) {
      for (const OperationSpec& operation : version.operations) {
        for (const CallStep& step : operation.calls) {
          if (step.parallel) {
            out.max_parallel[s] =
                std::max(out.max_parallel[s], static_cast<std::uint32_t>(step.calls.size()));
          }
          for (const CallSpec& call : step.calls) {
            CallEdge& edge = edgeOf(s, call.service);
            ++edge.calls;
            edge.max_probability = std::max(edge.max_probability, call.probability);
            edge.app_retries = std::max(edge.app_retries, call.retries);
            for (const HeaderPairs& headers : header_sets) {
              const CallRouting routing =
                  router.route(s, call.service, call.path, call.method, headers);
              const std::uint32_t m5xx = retriesOn5xx(routing.retry);
              const std::uint32_t mconnect = retriesOnConnectFailure(routing.retry);
              edge.mesh_retries_5xx = std::max(edge.mesh_retries_5xx, m5xx);
              edge.mesh_retries_connect = std::max(edge.mesh_retries_connect, mconnect);
              edge.multiplier_5xx =
                  std::max(edge.multiplier_5xx, (call.retries + 1.0) * (m5xx + 1.0));
              edge.multiplier_connect =
                  std::max(edge.multiplier_connect, (call.retries + 1.0) * (mconnect + 1.0));
            }
          }
        }
      }
    }
  }

  Graph graph(out.names.size());
  for (auto& [key, edge] : edges) {
    boost::add_edge(key.first, key.second, out.edges.size(), graph);
    out.edges.push_back(edge);
  }

  out.fan_out.resize(out.names.size());
  for (std::size_t v = 0; v < out.names.size(); ++v) {
    out.fan_out[v] = static_cast<std::uint32_t>(boost::out_degree(v, graph));
  }

  const std::vector<std::size_t> from_entry = predecessorsFrom(graph, load_generator);
  out.reachable.resize(out.names.size());
  for (std::size_t v = 0; v < out.names.size(); ++v) {
    out.reachable[v] = from_entry[v] != static_cast<std::size_t>(-1);
  }

  // Cycles: each back edge u -> v of a depth-first search closes the walk v ~> u -> v; the walk
  // v ~> u is a shortest one (breadth-first from v).
  std::vector<std::pair<Vertex, Vertex>> back_edges;
  boost::depth_first_search(graph, boost::visitor(BackEdgeRecorder(back_edges)));
  for (const auto& [u, v] : back_edges) {
    const std::vector<std::size_t> from_v = predecessorsFrom(graph, v);
    std::vector<Index> cycle = {static_cast<Index>(v)};
    for (std::size_t w = u; w != v; w = from_v[w]) {
      cycle.push_back(static_cast<Index>(w));
    }
    std::reverse(cycle.begin() + 1, cycle.end());
    cycle.push_back(static_cast<Index>(v));
    out.cycles.push_back(std::move(cycle));
  }

  PathWalker(graph, out.edges, out).walk(load_generator, 1.0, 1.0);
  std::stable_sort(out.paths.begin(), out.paths.end(), [](const CallPath& a, const CallPath& b) {
    if (a.multiplier_5xx != b.multiplier_5xx) {
      return a.multiplier_5xx > b.multiplier_5xx;
    }
    return a.vertices < b.vertices;
  });

  // Depth: longest path over a topological order when the graph is acyclic; otherwise the
  // longest enumerated simple path.
  if (out.cycles.empty()) {
    std::vector<Vertex> order;
    boost::topological_sort(graph, std::back_inserter(order));  // reverse topological order
    std::vector<std::int64_t> longest(out.names.size(), -1);
    longest[load_generator] = 0;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      if (longest[*it] < 0) {
        continue;
      }
      for (auto [e, end] = boost::out_edges(*it, graph); e != end; ++e) {
        const Vertex next = boost::target(*e, graph);
        longest[next] = std::max(longest[next], longest[*it] + 1);
      }
    }
    out.depth = static_cast<std::uint32_t>(*std::max_element(longest.begin(), longest.end()));
  } else {
    for (const CallPath& path : out.paths) {
      out.depth = std::max(out.depth, static_cast<std::uint32_t>(path.vertices.size() - 1));
    }
  }
  return out;
}

}  // namespace meshsim::sim
