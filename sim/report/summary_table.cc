#include "sim/report/summary_table.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace meshsim::sim {

namespace {

std::string flagSummary(const EdgeSummary& edge) {
  std::string out;
  for (const auto& [flag, count] : edge.flags) {
    if (flag == "-") {
      continue;
    }
    if (!out.empty()) {
      out += ' ';
    }
    out += flag + "=" + std::to_string(count);
  }
  return out.empty() ? "-" : out;
}

unsigned long long u(std::uint64_t value) {
  return static_cast<unsigned long long>(value);
}

}  // namespace

void printSummaryTable(std::ostream& out, const RunSummary& r) {
  char line[512];
  std::snprintf(line, sizeof(line), "meshsim run: %s  (seed %llu, %.0f s measured after %s)\n\n",
                r.scenario.c_str(), u(r.seed), r.duration_s, warmupText(r).c_str());
  out << line;
  std::snprintf(
      line, sizeof(line),
      "End to end   %llu requests  %.1f rps  success %.2f %%  latency ms  mean %.2f  p50 %.2f  "
      "p90 %.2f  p99 %.2f  p99.9 %.2f\n\n",
      u(r.requests), r.rps, 100.0 * r.success_rate, r.latency.mean, r.latency.p50, r.latency.p90,
      r.latency.p99, r.latency.p999);
  out << line;

  // Name columns as wide as the longest name, so long service names keep the table aligned.
  int service_width = 18;
  for (const ServiceSummary& service : r.services) {
    service_width = std::max(service_width, static_cast<int>(service.name.size()));
  }
  int edge_width = 30;
  for (const EdgeSummary& edge : r.edges) {
    edge_width = std::max(edge_width, static_cast<int>(edge.from.size() + edge.to.size() + 4));
  }

  std::snprintf(line, sizeof(line), "%-*s %7s %9s %14s %8s %8s %9s %7s\n", service_width, "Service",
                "rps", "errors %", "utilization %", "p50 ms", "p99 ms", "rejected", "wasted");
  out << line;
  for (const ServiceSummary& service : r.services) {
    std::snprintf(line, sizeof(line), "%-*s %7.1f %9.2f %14.1f %8.2f %8.2f %9llu %7llu\n",
                  service_width, service.name.c_str(), service.rps, 100.0 * service.error_rate,
                  100.0 * service.utilization, service.latency.p50, service.latency.p99,
                  u(service.rejected), u(service.wasted));
    out << line;
  }

  std::snprintf(line, sizeof(line), "\n%-*s %7s %9s %9s %8s %7s %7s  %s\n", edge_width, "Edge",
                "calls", "requests", "attempts", "amplif.", "failed", "p99 ms", "flags");
  out << line;
  for (const EdgeSummary& edge : r.edges) {
    const std::string name = edge.from + " -> " + edge.to;
    std::snprintf(line, sizeof(line), "%-*s %7llu %9llu %9llu %8.3f %7llu %7.2f  %s\n", edge_width,
                  name.c_str(), u(edge.calls), u(edge.requests), u(edge.attempts),
                  edge.amplification, u(edge.failed_calls), edge.latency.p99,
                  flagSummary(edge).c_str());
    out << line;
  }

  std::snprintf(line, sizeof(line),
                "\nSidecars     %zu  cpu %.3f vCPU  memory %.1f MiB (peak connections)  added "
                "latency %.3f ms per hop\n",
                r.sidecars, r.sidecar_cpu_cores, r.sidecar_memory_mib, r.sidecar_added_latency_ms);
  out << line;
  // Services outside the mesh get no policy at all: say so, they are easy to miss.
  std::string outside;
  for (const ServiceSummary& service : r.services) {
    if (!service.sidecar) {
      outside += (outside.empty() ? "" : ", ") + service.name;
    }
  }
  if (!outside.empty()) {
    out << "No sidecar   " << outside << " (no retries, limits, ejection, mTLS or authorization)\n";
  }
  std::snprintf(line, sizeof(line),
                "TLS          handshakes full %llu  resumed %llu  cpu %.4f s  connections %llu  "
                "refused %llu\n",
                u(r.handshakes_full), u(r.handshakes_resumed), r.tls_cpu_seconds,
                u(r.connections_opened), u(r.connections_refused));
  out << line;
  const core::ClusterStats& totals = r.proxy_totals;
  std::snprintf(line, sizeof(line),
                "Proxies      retries %llu  retry overflow %llu  pending overflow %llu  route "
                "timeouts %llu  per-try timeouts %llu  ejections %llu (refused %llu)\n",
                u(totals.upstream_rq_retry), u(totals.upstream_rq_retry_overflow),
                u(totals.upstream_rq_pending_overflow), u(totals.upstream_rq_timeout),
                u(totals.upstream_rq_per_try_timeout), u(totals.outlier_ejections_enforced_total),
                u(totals.outlier_ejections_overflow));
  out << line;
  std::snprintf(line, sizeof(line),
                "Engine       %llu events  %.3f s wall  %.0f events/s  %.0f requests/s\n",
                u(r.events), r.wall_seconds, r.events_per_second, r.requests_per_second);
  out << line;
}

void printSummaryTable(std::ostream& out, const Mesh& mesh) {
  printSummaryTable(out, summarizeRun(mesh));
}

}  // namespace meshsim::sim
