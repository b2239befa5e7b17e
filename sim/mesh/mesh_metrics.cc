#include "sim/mesh/mesh_metrics.h"

#include <algorithm>

namespace meshsim::sim {

void countFlags(std::array<std::uint64_t, 14>& counters, core::ResponseFlags flags) {
  if (flags == 0) {
    ++counters[13];
    return;
  }
  for (std::size_t bit = 0; bit < 13; ++bit) {
    if ((flags & (1u << bit)) != 0) {
      ++counters[bit];
    }
  }
}

void IstioEdgeMetrics::record(std::uint32_t status, core::ResponseFlags flags, Duration latency) {
  auto it = std::find_if(requests.begin(), requests.end(), [&](const CodeCount& c) {
    return c.status == status && c.flags == flags;
  });
  if (it == requests.end()) {
    requests.push_back(CodeCount{status, flags, 1});
  } else {
    ++it->count;
  }
  // Prometheus buckets are `le` (inclusive) bounds.
  const double ms = static_cast<double>(latency.count()) / 1e6;
  const auto bucket =
      std::lower_bound(kIstioDurationBucketsMs.begin(), kIstioDurationBucketsMs.end(), ms) -
      kIstioDurationBucketsMs.begin();
  ++buckets[static_cast<std::size_t>(bucket)];
  ++count;
  sum_ns += latency.count();
}

void MeshMetrics::configure(const Scenario& scenario, Duration window, SimTime origin) {
  series.clear();
  for (std::size_t s = 0; s <= scenario.services.size(); ++s) {
    series.emplace_back(window, origin,
                        std::vector<std::string>{"arrivals", "completed", "errors", "rejected"});
  }
  deployment_offset.clear();
  Index next = 0;
  for (const ServiceSpec& service : scenario.services) {
    deployment_offset.push_back(next);
    next += static_cast<Index>(service.versions.size() + 1);
  }
  deployments = next + 1;
  istio.clear();
  istio.resize(deployments * deployments);
}

IstioEdgeMetrics& MeshMetrics::istioEdge(Index source, Index destination) {
  auto& slot = istio[source * deployments + destination];
  if (!slot) {
    slot = std::make_unique<IstioEdgeMetrics>();
  }
  return *slot;
}

}  // namespace meshsim::sim
