#include "sim/analysis/analysis_report.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace meshsim::sim {

namespace {

std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));

std::string format(const char* pattern, ...) {
  char buffer[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(buffer, sizeof buffer, pattern, args);
  va_end(args);
  return buffer;
}

std::string pathText(const CallGraphAnalysis& graph, const std::vector<Index>& vertices) {
  std::string out;
  for (std::size_t i = 0; i < vertices.size(); ++i) {
    out += (i == 0 ? "" : " -> ") + graph.names[vertices[i]];
  }
  return out;
}

std::string millis(double seconds) {
  if (std::isinf(seconds)) {
    return "inf";
  }
  return format("%.3f", seconds * 1e3);
}

std::string padded(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

double relativeError(double analytic, double simulated) {
  return analytic > 0 ? (simulated - analytic) / analytic * 100.0 : 0.0;
}

std::string edgeName(const Scenario& scenario, const EdgeLoad& edge) {
  const std::string from = edge.from < scenario.services.size() ? scenario.services[edge.from].name
                                                                : std::string("load-generator");
  return from + " -> " + scenario.services[edge.to].name;
}

}  // namespace

void printAnalysis(std::ostream& out, const Scenario& scenario, const CallGraphAnalysis& graph,
                   const TrafficAnalysis& traffic) {
  out << "Scenario     " << scenario.name << "\n\n";
  out << "Call graph\n";
  std::size_t reachable = 0;
  for (std::size_t v = 0; v + 1 < graph.names.size(); ++v) {
    reachable += graph.reachable[v] ? 1 : 0;
  }
  out << format("  services   %zu (%zu reachable from the load generator), edges %zu\n",
                graph.names.size() - 1, reachable, graph.edges.size());
  if (graph.cycles.empty()) {
    out << "  cycles     none\n";
  } else {
    for (const auto& cycle : graph.cycles) {
      out << "  error: cycle " << pathText(graph, cycle) << " (a request could loop forever)\n";
    }
  }
  out << "  depth      " << graph.depth << " hops from the load generator\n";
  out << "  fan-out    ";
  bool first = true;
  for (std::size_t v = 0; v + 1 < graph.names.size(); ++v) {
    if (graph.fan_out[v] == 0) {
      continue;
    }
    out << (first ? "" : ", ") << graph.names[v] << " " << graph.fan_out[v];
    if (graph.max_parallel[v] > 1) {
      out << " (parallel " << graph.max_parallel[v] << ")";
    }
    first = false;
  }
  out << (first ? "none\n" : "\n");
  for (std::size_t v = 0; v + 1 < graph.names.size(); ++v) {
    if (!graph.reachable[v]) {
      out << "  note: " << graph.names[v] << " is not reachable from the workload\n";
    }
  }

  out << "\nWorst-case attempts per request along each path (per hop (app retries + 1) x (mesh "
         "retries + 1), compounded):\n"
         "  5xx      every attempt answers a 5xx (Istio's default policy does not retry 5xx: "
         "x1 there)\n"
         "  connect  every connection fails (Istio's default policy retries these twice)\n";
  std::size_t width = 4;
  for (const CallPath& path : graph.paths) {
    width = std::max(width, pathText(graph, path.vertices).size());
  }
  out << "  " << padded("path", width) << "  " << format("%10s %10s", "5xx", "connect") << "\n";
  for (const CallPath& path : graph.paths) {
    out << "  " << padded(pathText(graph, path.vertices), width) << "  "
        << format("%10g %10g", path.multiplier_5xx, path.multiplier_connect) << "\n";
  }
  if (graph.paths_truncated) {
    out << "  (only the first " << CallGraphAnalysis::kMaxPaths << " paths are listed)\n";
  }

  out << "\nTraffic equations (λ = λ0 + Pᵀλ, retry inflation from the configured error rates and\n"
         "the failures they propagate up the call graph)\n";
  if (traffic.closed_loop) {
    const ClosedLoopAnalysis& closed = traffic.closed;
    const ClosedNetworkBounds& bounds = closed.bounds;
    out << format("  entry rate %.6g req/s (closed loop: %s, %u users, %.6g ms think)\n",
                  traffic.entry_rate, closed.exact ? "MVA" : "open-network fixed point",
                  closed.users, closed.think_time * 1e3);
    out << format(
        "  X(N) = N/(Z+R(N)) = %.6g req/s with R(N) %s ms = app %s + sidecar CPU %s + "
        "network and sidecar latency %s ms\n",
        closed.throughput, millis(closed.response_time).c_str(), millis(closed.app_time).c_str(),
        millis(closed.sidecar_cpu_time).c_str(), millis(closed.latency_time).c_str());
    out << format(
        "  bounds X(N) <= min(N/(D+Z), 1/D_max) = min(%.6g, %.6g) req/s with D %s ms, "
        "D_max %s ms; saturation from N* = (D+Z)/D_max = %.4g users\n",
        closed.users / (bounds.total_demand + closed.think_time), 1.0 / bounds.bottleneck_demand,
        millis(bounds.total_demand).c_str(), millis(bounds.bottleneck_demand).c_str(),
        bounds.saturation_users);
  } else {
    out << format("  entry rate %.6g req/s\n", traffic.entry_rate);
  }
  std::size_t name_width = 7;
  for (const ServiceSpec& service : scenario.services) {
    name_width = std::max(name_width, service.name.size());
  }
  out << "  " << padded("service", name_width) << "  "
      << format("%-8s %9s %11s %10s %7s %8s %11s", "version", "workers", "rate (/s)", "E[S] (ms)",
                "rho", "P(wait)", "Wq (ms)")
      << (traffic.closed_loop ? format(" %8s", "in pool") : "") << "  flag\n";
  std::size_t saturated = 0;
  std::size_t high = 0;
  for (const PoolLoad& pool : traffic.pools) {
    const ServiceSpec& service = scenario.services[pool.service];
    const std::string workers =
        std::to_string(pool.replicas) + "x" + std::to_string(pool.concurrency);
    const char* flag = pool.saturated() ? "SATURATED" : pool.highLoad() ? "high load" : "";
    saturated += pool.saturated() ? 1 : 0;
    high += !pool.saturated() && pool.highLoad() ? 1 : 0;
    out << "  " << padded(service.name, name_width) << "  "
        << format("%-8s %9s %11.4g %10.4g %7.3f %8.3f %11s",
                  service.versions[pool.version].name.c_str(), workers.c_str(), pool.arrival_rate,
                  pool.mean_service_time * 1e3, pool.utilization, pool.per_replica.wait_probability,
                  millis(pool.per_replica.mean_wait).c_str())
        << (traffic.closed_loop ? format(" %8.3f", pool.in_pool) : "") << "  " << flag << "\n";
  }
  if (traffic.closed_loop) {
    out << "  (rho = rate x holding time / workers, holding = E[S] plus the calls' time for a "
           "caller\n"
           "  that holds its worker; P(wait) as an arrival sees it, Wq per visit and in pool\n"
           "  (requests queued or in service, all replicas): exact MVA, each replica c = "
           "concurrency\n"
           "  servers with its share of the demand, exponential service assumed)\n";
  } else {
    out << "  (rho = rate x holding time / workers, holding = E[S] plus the calls' time for a "
           "caller\n"
           "  that holds its worker; Wq: M/M/c per replica with c = concurrency, rate/replicas "
           "arriving\n"
           "  and the holding time as an exponential service time)\n";
  }
  if (!traffic.edges.empty()) {
    out << "\n  Edge rates (calls/s -> attempts/s reaching the callee, expected retries "
           "included; calls failing after every retry)\n";
    std::size_t edge_width = 0;
    for (const EdgeLoad& edge : traffic.edges) {
      edge_width = std::max(edge_width, edgeName(scenario, edge).size());
    }
    for (const EdgeLoad& edge : traffic.edges) {
      out << "  " << padded(edgeName(scenario, edge), edge_width)
          << format("  %11.4g -> %-11.4g %8.3f %% fail", edge.call_rate, edge.attempt_rate,
                    100.0 * edge.call_failure)
          << "\n";
    }
  }
  for (const std::string& note : traffic.notes) {
    out << "  note: " << note << "\n";
  }
  if (saturated > 0) {
    out << "\n" << saturated << " pool(s) SATURATED (rho >= 1): queues grow without bound\n";
  }
  if (high > 0) {
    out << (saturated > 0 ? "" : "\n") << high << " pool(s) at high load (rho >= 0.8)\n";
  }
}

void printSimulationComparison(std::ostream& out, const Scenario& scenario,
                               const TrafficAnalysis& traffic, const RunSummary& summary) {
  out << format("\nAnalytic vs simulated (one replication, seed %llu, %.6g s measured)\n",
                static_cast<unsigned long long>(summary.seed), summary.duration_s);
  if (traffic.closed_loop) {
    const double response_ms = traffic.closed.response_time * 1e3;
    out << format(
        "  end to end   X(N) analytic %.6g, simulated %.6g req/s (%+.2f %%); R(N) "
        "analytic %.5g, simulated %.5g ms (%+.2f %%)\n",
        traffic.closed.throughput, summary.rps,
        relativeError(traffic.closed.throughput, summary.rps), response_ms, summary.latency.mean,
        relativeError(response_ms, summary.latency.mean));
  }
  std::size_t name_width = 7;
  for (const ServiceSpec& service : scenario.services) {
    name_width = std::max(name_width, service.name.size());
  }
  out << "  " << padded("service", name_width) << "  "
      << format("%12s %12s %8s %10s %11s %9s %9s", "rate analyt.", "rate simul.", "diff %",
                "rho analyt.", "rho simul.", "err % an.", "err % sim")
      << "\n";
  for (std::size_t s = 0; s < scenario.services.size(); ++s) {
    const ServiceSummary* simulated = nullptr;
    for (const ServiceSummary& candidate : summary.services) {
      if (candidate.name == scenario.services[s].name) {
        simulated = &candidate;
      }
    }
    const double rate = simulated != nullptr ? simulated->rps : 0.0;
    const double utilization = simulated != nullptr ? simulated->utilization : 0.0;
    const double errors = simulated != nullptr ? simulated->error_rate : 0.0;
    out << "  " << padded(scenario.services[s].name, name_width) << "  "
        << format("%12.4g %12.4g %+8.2f %10.3f %11.3f %9.3f %9.3f", traffic.service_rates[s], rate,
                  relativeError(traffic.service_rates[s], rate), traffic.service_utilization[s],
                  utilization, 100.0 * traffic.service_error_rate[s], 100.0 * errors)
        << "\n";
  }
  out << "  " << padded("edge", 2 * name_width + 4)
      << format("  %14s %14s %8s %10s %10s", "attempts/s an.", "attempts/s sim", "diff %",
                "fail % an.", "fail % sim")
      << "\n";
  for (const EdgeLoad& edge : traffic.edges) {
    const std::string from = edge.from < scenario.services.size()
                                 ? scenario.services[edge.from].name
                                 : std::string("client");
    const std::string& to = scenario.services[edge.to].name;
    double simulated = 0;
    double failed = 0;
    for (const EdgeSummary& candidate : summary.edges) {
      if (candidate.from == from && candidate.to == to && summary.duration_s > 0) {
        simulated = static_cast<double>(candidate.attempts) / summary.duration_s;
        failed = candidate.calls > 0 ? static_cast<double>(candidate.failed_calls) /
                                           static_cast<double>(candidate.calls)
                                     : 0.0;
      }
    }
    out << "  " << padded(from + " -> " + to, 2 * name_width + 4)
        << format("  %14.4g %14.4g %+8.2f %10.3f %10.3f", edge.attempt_rate, simulated,
                  relativeError(edge.attempt_rate, simulated), 100.0 * edge.call_failure,
                  100.0 * failed)
        << "\n";
  }
}

}  // namespace meshsim::sim
