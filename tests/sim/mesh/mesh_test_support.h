// Helpers for the mesh behaviour tests: build a Mesh from an inline scenario, run it, and sum the
// client sidecars' proxy counters.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/proxy/cluster.h"
#include "core/stats/cluster_stats.h"
#include "core/stats/response_flags.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/mesh/sidecar.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim::testing {

// A loaded scenario, its imported policies and the mesh built from them, kept together because
// the mesh refers to both. Heap-allocated so those references stay valid.
struct MeshRun {
  Scenario scenario;
  ScenarioPolicies policies;
  std::unique_ptr<Mesh> mesh;
  config::Warnings warnings;

  Mesh& operator*() { return *mesh; }
  Mesh* operator->() { return mesh.get(); }
};

inline std::unique_ptr<MeshRun> buildMesh(const std::string& yaml, std::uint64_t replication = 0,
                                          const std::vector<std::string>& overrides = {}) {
  auto run = std::make_unique<MeshRun>();
  run->scenario = loadScenarioFromString(yaml, "test.yaml", overrides, run->warnings);
  run->policies = importScenarioPolicies(run->scenario, run->warnings);
  run->mesh = std::make_unique<Mesh>(run->scenario, run->policies, replication);
  return run;
}

inline std::unique_ptr<MeshRun> runMesh(const std::string& yaml, std::uint64_t replication = 0,
                                        const std::vector<std::string>& overrides = {}) {
  auto run = buildMesh(yaml, replication, overrides);
  run->mesh->run();
  return run;
}

inline Index serviceIndex(const Mesh& mesh, std::string_view name) {
  return *mesh.scenario().findService(name);
}

// The response-flag counter of an edge (EdgeMetrics::flags is indexed by flag bit).
inline std::uint64_t flagCount(const EdgeMetrics& edge, core::ResponseFlag flag) {
  const auto bits = static_cast<std::uint32_t>(flag);
  for (std::size_t bit = 0; bit < 13; ++bit) {
    if (bits == (1u << bit)) {
      return edge.flags[bit];
    }
  }
  return 0;
}

// Visits every outbound cluster of every pod of `caller` whose name is `service` or one of its
// subsets ("leaf", "leaf|v1").
inline void forEachClientCluster(Mesh& mesh, std::string_view caller, std::string_view service,
                                 const std::function<void(core::Cluster&)>& visit) {
  const Index from = serviceIndex(mesh, caller);
  const std::string subset_prefix = std::string(service) + "|";
  for (auto& workload : mesh.workloads()) {
    if (workload->service != from) {
      continue;
    }
    for (auto& cluster : workload->sidecar->outbound().clusters()) {
      if (cluster->name() == service || cluster->name().starts_with(subset_prefix)) {
        visit(*cluster);
      }
    }
  }
}

// One counter summed over the callers' clusters for `service`, e.g.
// sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::upstream_rq_retry).
inline std::uint64_t sumClusterStat(Mesh& mesh, std::string_view caller, std::string_view service,
                                    std::uint64_t core::ClusterStats::*field) {
  std::uint64_t total = 0;
  forEachClientCluster(mesh, caller, service,
                       [&](core::Cluster& cluster) { total += cluster.stats().*field; });
  return total;
}

// Requests the callers' proxies sent to hosts labelled version=`version` (HostStats::rq_total).
inline std::uint64_t hostRequestsForVersion(Mesh& mesh, std::string_view caller,
                                            std::string_view service, std::string_view version) {
  std::uint64_t total = 0;
  forEachClientCluster(mesh, caller, service, [&](core::Cluster& cluster) {
    for (core::Host* host : cluster.hosts()) {
      for (const auto& [key, value] : host->labels()) {
        if (key == "version" && value == version) {
          total += host->stats().rq_total;
        }
      }
    }
  });
  return total;
}

// Attempts per call when each attempt fails independently with probability p and at most n
// retries follow a failure: A = min(Geometric(1 - p), n + 1).
// E[A] = sum_{k=0..n} p^k = (1 - p^(n+1)) / (1 - p); E[A^2] = sum_{k=1..n+1} (2k - 1) p^(k-1).
struct TruncatedGeometric {
  double mean = 0;
  double variance = 0;
};

inline TruncatedGeometric truncatedGeometric(double p, std::uint32_t retries) {
  double mean = 0;
  double second = 0;
  for (std::uint32_t k = 1; k <= retries + 1; ++k) {
    const double survive = std::pow(p, static_cast<double>(k - 1));  // P(A >= k)
    mean += survive;
    second += (2.0 * k - 1.0) * survive;
  }
  return {mean, second - mean * mean};
}

}  // namespace meshsim::sim::testing
