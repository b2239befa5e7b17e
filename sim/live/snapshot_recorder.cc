#include "sim/live/snapshot_recorder.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <variant>

#include "core/proxy/cluster.h"
#include "core/proxy/proxy.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {
namespace {

constexpr std::size_t kOverflowBit = 2;  // UO, ResponseFlag::kUpstreamOverflow
constexpr std::size_t kDelayBit = 7;     // DI
constexpr std::size_t kAbortBit = 8;     // FI

double ms(std::int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

double ratio(double numerator, double denominator) {
  return denominator <= 0 ? 0.0 : numerator / denominator;
}

// Nearest-rank percentile of the samples in `now` but not in `before` (a histogram only grows),
// reported as its bucket's midpoint like LatencyHistogram::percentile.
std::int64_t percentileOfDifference(const LatencyHistogram& now, const LatencyHistogram& before,
                                    double q) {
  const std::uint64_t count = now.count() - before.count();
  if (count == 0) {
    return 0;
  }
  const auto rank =
      static_cast<std::uint64_t>(std::max(1.0, std::ceil(q / 100.0 * static_cast<double>(count))));
  std::uint64_t seen = 0;
  for (const LatencyHistogram::Bucket& bucket : now.nonEmptyBuckets()) {
    seen += bucket.count - before.bucketCount(bucket.index);
    if (seen >= rank) {
      return LatencyHistogram::bucketMidpoint(bucket.index);
    }
  }
  return now.max();
}

const FaultTarget* targetOf(const FaultAction& action) {
  return std::visit(
      [](const auto& fault) -> const FaultTarget* {
        using T = std::decay_t<decltype(fault)>;
        if constexpr (std::is_same_v<T, ErrorRateFault> || std::is_same_v<T, LatencyFault> ||
                      std::is_same_v<T, CrashFault> || std::is_same_v<T, SlowReplicaFault>) {
          return &fault.target;
        } else {
          return nullptr;
        }
      },
      action);
}

}  // namespace

SnapshotRecorder::SnapshotRecorder(Mesh& mesh, const MeshTopology& topology)
    : mesh_(mesh),
      topology_(topology),
      edges_(topology.edges.size()),
      sidecar_cpu_(mesh.scenario().services.size() + 1, core::Duration::zero()),
      last_(mesh.sim().now()) {
  for (const auto& workload : mesh.workloads()) {
    by_address_.emplace(workload->address, workload.get());
  }
}

void SnapshotRecorder::begin() {
  last_ = mesh_.sim().now();
  std::fill(sidecar_cpu_.begin(), sidecar_cpu_.end(), core::Duration::zero());
  ejections_ = 0;
  for (const auto& workload : mesh_.workloads()) {
    if (workload->has_sidecar && workload->sidecar != nullptr) {
      sidecar_cpu_[workload->service] += workload->sidecar->cpu().busyTime();
      for (const auto& cluster : workload->sidecar->outbound().clusters()) {
        ejections_ += cluster->stats().outlier_ejections_enforced_total;
      }
    }
  }
}

Snapshot SnapshotRecorder::capture() {
  const Scenario& scenario = mesh_.scenario();
  const MeshMetrics& metrics = mesh_.metrics();
  const std::size_t services = scenario.services.size();
  const core::MonotonicTime now = mesh_.sim().now();
  Snapshot snapshot;
  snapshot.index = next_index_++;
  snapshot.start = last_ - core::kTimeZero;
  snapshot.width = now - last_;
  const double seconds = core::toSeconds(snapshot.width);
  last_ = now;

  // Service and end-to-end figures: the series rows closed since the last capture (one when
  // captures follow the interval boundaries), counters summed, percentiles of the latest row.
  const std::size_t rows = metrics.series.front().rows().size();
  auto fromRows = [&](std::size_t series, auto&& apply) {
    const auto& all = metrics.series[series].rows();
    for (std::size_t r = rows_seen_; r < all.size(); ++r) {
      apply(all[r], r + 1 == all.size());
    }
  };
  snapshot.services.resize(services);
  for (std::size_t s = 0; s < services; ++s) {
    ServiceSnapshot& out = snapshot.services[s];
    std::uint64_t arrivals = 0;
    std::uint64_t completed = 0;
    std::uint64_t errors = 0;
    fromRows(s, [&](const TimeSeries::Row& row, bool latest) {
      arrivals += row.counters[kSeriesArrivals];
      completed += row.counters[kSeriesCompleted];
      errors += row.counters[kSeriesErrors];
      out.rejected += row.counters[kSeriesRejected];
      if (latest) {
        out.p50_ms = ms(row.p50_ns);
        out.p99_ms = ms(row.p99_ns);
      }
    });
    out.rps = ratio(static_cast<double>(arrivals), seconds);
    out.error_rate = ratio(static_cast<double>(errors), static_cast<double>(completed));
    out.ejected.assign(scenario.services[s].versions.size(), 0);
    out.down.assign(scenario.services[s].versions.size(), 0);
    for (const FaultSpec& fault : scenario.faults) {
      const FaultTarget* target = targetOf(fault.action);
      if (target != nullptr && target->service == s && fault.at < snapshot.start + snapshot.width &&
          (!fault.until || *fault.until > snapshot.start)) {
        out.faulted = true;
      }
    }
  }
  {
    std::uint64_t completed = 0;
    std::uint64_t errors = 0;
    fromRows(services, [&](const TimeSeries::Row& row, bool latest) {
      completed += row.counters[kSeriesCompleted];
      errors += row.counters[kSeriesErrors];
      if (latest) {
        snapshot.p50_ms = ms(row.p50_ns);
        snapshot.p99_ms = ms(row.p99_ns);
      }
    });
    snapshot.rps = ratio(static_cast<double>(completed), seconds);
    snapshot.error_rate = ratio(static_cast<double>(errors), static_cast<double>(completed));
  }
  rows_seen_ = rows;

  std::uint64_t calls = 0;
  std::uint64_t attempts = 0;
  snapshot.edges.reserve(topology_.edges.size());
  for (std::size_t e = 0; e < topology_.edges.size(); ++e) {
    const TopologyEdge& edge = topology_.edges[e];
    const EdgeMetrics& m = metrics.edge(edge.from, edge.to);
    EdgeTotals& before = edges_[e];
    EdgeSnapshot out;
    out.from = edge.from;
    out.to = edge.to;
    const std::uint64_t requests = m.requests - before.requests;
    const std::uint64_t failures = m.status_classes[0] + m.status_classes[5];
    out.rps = ratio(static_cast<double>(requests), seconds);
    out.p99_ms = ms(percentileOfDifference(m.latency, before.latency, 99));
    out.error_rate =
        ratio(static_cast<double>(failures - before.failures), static_cast<double>(requests));
    out.retries = m.retries - before.retries;
    // A call's requests all end before it does, so the cumulative requests never trail the calls;
    // within one interval a call's earlier tries may have ended in the previous one.
    const std::uint64_t new_calls = m.calls - before.calls;
    out.app_retries = requests > new_calls ? requests - new_calls : 0;
    out.amplification = ratio(static_cast<double>(m.attempts - before.attempts),
                              static_cast<double>(m.calls - before.calls));
    out.overflow = m.flags[kOverflowBit] - before.overflow;
    out.injected = m.flags[kDelayBit] + m.flags[kAbortBit] - before.injected;
    calls += m.calls - before.calls;
    attempts += m.attempts - before.attempts;
    snapshot.retries += out.retries;
    snapshot.app_retries += out.app_retries;
    if (edge.to < services) {
      snapshot.services[edge.to].retries += out.retries;
      snapshot.services[edge.to].app_retries += out.app_retries;
    }
    before = EdgeTotals{m.calls,
                        m.requests,
                        m.attempts,
                        m.retries,
                        failures,
                        m.flags[kOverflowBit],
                        m.flags[kDelayBit] + m.flags[kAbortBit],
                        m.latency};
    snapshot.edges.push_back(out);
  }
  snapshot.amplification = ratio(static_cast<double>(attempts), static_cast<double>(calls));

  // Sidecars: CPU per service, and every client sidecar's view of which replicas are ejected.
  std::vector<std::vector<std::vector<bool>>> ejected(services);
  for (std::size_t s = 0; s < services; ++s) {
    for (const VersionSpec& version : scenario.services[s].versions) {
      ejected[s].emplace_back(version.replicas, false);
    }
  }
  std::uint64_t ejections = 0;
  std::vector<core::Duration> cpu(services + 1, core::Duration::zero());
  for (const auto& workload : mesh_.workloads()) {
    if (workload->app != nullptr && !workload->up) {
      ++snapshot.services[workload->service].down[workload->version];
    }
    if (!workload->has_sidecar || workload->sidecar == nullptr) {
      continue;
    }
    Sidecar& sidecar = *workload->sidecar;
    cpu[workload->service] += sidecar.cpu().busyTime();
    for (const auto& cluster : sidecar.outbound().clusters()) {
      ejections += cluster->stats().outlier_ejections_enforced_total;
      for (const core::Host* host : cluster->hosts()) {
        if (!host->outlierEjected()) {
          continue;
        }
        const auto it = by_address_.find(host->address());
        if (it != by_address_.end() && it->second->service < services) {
          const Workload& target = *it->second;
          ejected[target.service][target.version][target.replica] = true;
        }
      }
    }
  }
  for (std::size_t s = 0; s < services; ++s) {
    for (std::size_t v = 0; v < ejected[s].size(); ++v) {
      for (const bool out : ejected[s][v]) {
        snapshot.services[s].ejected[v] += out ? 1 : 0;
      }
      snapshot.ejected_hosts += snapshot.services[s].ejected[v];
    }
  }
  snapshot.ejections = ejections - ejections_;
  ejections_ = ejections;
  for (std::size_t s = 0; s <= services; ++s) {
    const double cores = ratio(core::toSeconds(cpu[s] - sidecar_cpu_[s]), seconds);
    if (s < services) {
      snapshot.services[s].sidecar_cpu_cores = cores;
    }
    snapshot.sidecar_cpu_cores += cores;
  }
  sidecar_cpu_ = cpu;
  return snapshot;
}

}  // namespace meshsim::sim
