#include "sim/report/summary_table.h"

#include <cstdio>
#include <string>

#include "core/stats/response_flags.h"
#include "sim/mesh/replica.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

namespace {

double ms(const LatencyHistogram& h, double q) {
  return h.count() == 0 ? 0.0 : static_cast<double>(h.percentile(q)) / 1e6;
}

std::string flagSummary(const EdgeMetrics& edge) {
  std::string out;
  for (std::size_t bit = 0; bit < 13; ++bit) {
    if (edge.flags[bit] == 0) {
      continue;
    }
    if (!out.empty()) {
      out += ' ';
    }
    out += core::responseFlagsString(1u << bit) + "=" + std::to_string(edge.flags[bit]);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

void printSummaryTable(std::ostream& out, const Mesh& mesh) {
  const MeshMetrics& m = mesh.metrics();
  const Scenario& scenario = mesh.scenario();
  const double seconds = core::toSeconds(scenario.duration);
  char line[512];

  std::snprintf(line, sizeof(line),
                "meshsim run: %s  (seed %llu, %.0f s measured after %.0f s warm-up)\n\n",
                scenario.name.c_str(), static_cast<unsigned long long>(scenario.seed), seconds,
                core::toSeconds(scenario.warmup));
  out << line;
  const double success =
      m.requests == 0 ? 0.0 : 100.0 * static_cast<double>(m.succeeded) / m.requests;
  std::snprintf(
      line, sizeof(line),
      "End to end   %llu requests  %.1f rps  success %.2f %%  latency ms  mean %.2f  p50 %.2f  "
      "p90 %.2f  p99 %.2f  p99.9 %.2f\n\n",
      static_cast<unsigned long long>(m.requests), m.requests / seconds, success,
      m.latency.count() ? m.latency.mean() / 1e6 : 0.0, ms(m.latency, 50), ms(m.latency, 90),
      ms(m.latency, 99), ms(m.latency, 99.9));
  out << line;

  out << "Service              rps   errors %  utilization %  p50 ms   p99 ms   rejected  wasted\n";
  for (Index s = 0; s < scenario.services.size(); ++s) {
    const ServiceMetrics& service = m.services[s];
    std::uint64_t workers = 0;
    for (const VersionSpec& version : scenario.services[s].versions) {
      workers += static_cast<std::uint64_t>(version.replicas) * version.concurrency;
    }
    const double utilization =
        100.0 * core::toSeconds(service.worker_busy) / (seconds * static_cast<double>(workers));
    std::snprintf(line, sizeof(line), "%-18s %7.1f %9.2f %14.1f %8.2f %8.2f %9llu %7llu\n",
                  scenario.services[s].name.c_str(), service.received / seconds,
                  service.completed ? 100.0 * service.errors / service.completed : 0.0, utilization,
                  ms(service.latency, 50), ms(service.latency, 99),
                  static_cast<unsigned long long>(service.rejected),
                  static_cast<unsigned long long>(service.wasted));
    out << line;
  }

  out << "\nEdge                            calls  requests  attempts  amplif.  failed  p99 ms  "
         "flags\n";
  for (Index from = 0; from <= scenario.services.size(); ++from) {
    for (Index to = 0; to < scenario.services.size(); ++to) {
      const EdgeMetrics& edge = m.edge(from, to);
      if (edge.calls == 0) {
        continue;
      }
      const std::string name = (from == scenario.services.size() ? std::string("client")
                                                                 : scenario.services[from].name) +
                               " -> " + scenario.services[to].name;
      std::snprintf(line, sizeof(line), "%-30s %7llu %9llu %9llu %8.3f %7llu %7.2f  %s\n",
                    name.c_str(), static_cast<unsigned long long>(edge.calls),
                    static_cast<unsigned long long>(edge.requests),
                    static_cast<unsigned long long>(edge.attempts), edge.amplification(),
                    static_cast<unsigned long long>(edge.failed_calls), ms(edge.latency, 99),
                    flagSummary(edge).c_str());
      out << line;
    }
  }

  // Sidecar cost: CPU of every sidecar's workers over the whole run, memory as base + connections.
  Duration cpu{0};
  double memory = 0;
  std::size_t sidecars = 0;
  for (const auto& workload : const_cast<Mesh&>(mesh).workloads()) {
    if (!workload->has_sidecar || !workload->app) {
      continue;
    }
    ++sidecars;
    cpu += workload->sidecar->cpu().busyTime();
    memory += static_cast<double>(workload->sidecar->spec().memory_base +
                                  workload->sidecar->peakConnections() *
                                      workload->sidecar->spec().memory_per_connection);
  }
  const double total = core::toSeconds(scenario.warmup + scenario.duration);
  std::snprintf(line, sizeof(line),
                "\nSidecars     %zu  cpu %.3f vCPU  memory %.1f MiB (peak connections)\n", sidecars,
                core::toSeconds(cpu) / total, memory / (1024.0 * 1024.0));
  out << line;
  std::snprintf(line, sizeof(line),
                "TLS          handshakes full %llu  resumed %llu  cpu %.4f s  connections %llu  "
                "refused %llu\n",
                static_cast<unsigned long long>(m.handshakes_full),
                static_cast<unsigned long long>(m.handshakes_resumed), core::toSeconds(m.tls_cpu),
                static_cast<unsigned long long>(m.connections_opened),
                static_cast<unsigned long long>(m.connections_refused));
  out << line;

  // Proxy-core counters summed over every sidecar's outbound clusters (Envoy names).
  core::ClusterStats totals;
  for (const auto& workload : const_cast<Mesh&>(mesh).workloads()) {
    for (const auto& cluster : workload->sidecar->outbound().clusters()) {
      const core::ClusterStats& stats = cluster->stats();
      totals.upstream_rq_retry += stats.upstream_rq_retry;
      totals.upstream_rq_retry_overflow += stats.upstream_rq_retry_overflow;
      totals.upstream_rq_pending_overflow += stats.upstream_rq_pending_overflow;
      totals.upstream_rq_timeout += stats.upstream_rq_timeout;
      totals.upstream_rq_per_try_timeout += stats.upstream_rq_per_try_timeout;
      totals.outlier_ejections_enforced_total += stats.outlier_ejections_enforced_total;
      totals.outlier_ejections_overflow += stats.outlier_ejections_overflow;
    }
  }
  std::snprintf(line, sizeof(line),
                "Proxies      retries %llu  retry overflow %llu  pending overflow %llu  route "
                "timeouts %llu  per-try timeouts %llu  ejections %llu (refused %llu)\n",
                static_cast<unsigned long long>(totals.upstream_rq_retry),
                static_cast<unsigned long long>(totals.upstream_rq_retry_overflow),
                static_cast<unsigned long long>(totals.upstream_rq_pending_overflow),
                static_cast<unsigned long long>(totals.upstream_rq_timeout),
                static_cast<unsigned long long>(totals.upstream_rq_per_try_timeout),
                static_cast<unsigned long long>(totals.outlier_ejections_enforced_total),
                static_cast<unsigned long long>(totals.outlier_ejections_overflow));
  out << line;
  std::snprintf(line, sizeof(line), "Engine       %llu events  %.3f s wall\n",
                static_cast<unsigned long long>(const_cast<Mesh&>(mesh).sim().eventsFired()),
                mesh.wallSeconds());
  out << line;
}

}  // namespace meshsim::sim
