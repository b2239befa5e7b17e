#include "sim/report/run_summary.h"

#include <cstdio>

#include "core/proxy/cluster.h"
#include "core/stats/response_flags.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

namespace {

double ms(std::int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

double ratio(double numerator, double denominator) {
  return denominator == 0 ? 0.0 : numerator / denominator;
}

}  // namespace

LatencySummary summarizeLatency(const LatencyHistogram& h) {
  LatencySummary out;
  out.count = h.count();
  if (h.count() == 0) {
    return out;
  }
  out.mean = h.mean() / 1e6;
  out.p50 = ms(h.percentile(50));
  out.p90 = ms(h.percentile(90));
  out.p99 = ms(h.percentile(99));
  out.p999 = ms(h.percentile(99.9));
  out.max = ms(h.max());
  return out;
}

RunSummary summarizeRun(const Mesh& mesh) {
  const MeshMetrics& m = mesh.metrics();
  const Scenario& scenario = mesh.scenario();
  RunSummary r;
  r.scenario = scenario.name;
  r.seed = scenario.seed;
  r.duration_s = core::toSeconds(scenario.duration);
  r.warmup_s = core::toSeconds(scenario.warmup);
  if (scenario.warmup_detection) {
    r.warmup_detected = true;
    r.warmup_at_search_limit = scenario.warmup_detection->at_search_limit;
  }
  r.version = MESHSIM_VERSION;

  r.requests = m.requests;
  r.succeeded = m.succeeded;
  r.failed = m.failed;
  r.rps = ratio(static_cast<double>(m.requests), r.duration_s);
  r.success_rate = ratio(static_cast<double>(m.succeeded), static_cast<double>(m.requests));
  r.latency = summarizeLatency(m.latency);

  for (Index s = 0; s < scenario.services.size(); ++s) {
    const ServiceMetrics& service = m.services[s];
    ServiceSummary out;
    out.name = scenario.services[s].name;
    out.sidecar = scenario.services[s].has_sidecar;
    out.requests = service.received;
    out.completed = service.completed;
    out.errors = service.errors;
    out.rejected = service.rejected;
    out.wasted = service.wasted;
    out.wasted_work_s = core::toSeconds(service.wasted_work);
    for (const VersionSpec& version : scenario.services[s].versions) {
      out.workers += static_cast<std::uint64_t>(version.replicas) * version.concurrency;
    }
    for (Index from = 0; from <= scenario.services.size(); ++from) {
      out.attempts += m.edge(from, s).attempts;
    }
    out.rps = ratio(static_cast<double>(service.received), r.duration_s);
    out.error_rate =
        ratio(static_cast<double>(service.errors), static_cast<double>(service.completed));
    out.utilization = ratio(core::toSeconds(service.worker_busy),
                            r.duration_s * static_cast<double>(out.workers));
    out.latency = summarizeLatency(service.latency);
    r.services.push_back(std::move(out));
  }

  for (Index from = 0; from <= scenario.services.size(); ++from) {
    for (Index to = 0; to < scenario.services.size(); ++to) {
      const EdgeMetrics& edge = m.edge(from, to);
      if (edge.calls == 0 && edge.requests == 0) {
        continue;
      }
      EdgeSummary out;
      out.from = from == scenario.services.size() ? "client" : scenario.services[from].name;
      out.to = scenario.services[to].name;
      out.calls = edge.calls;
      out.requests = edge.requests;
      out.attempts = edge.attempts;
      out.retries = edge.retries;
      out.failed_calls = edge.failed_calls;
      out.app_timeouts = edge.app_timeouts;
      out.amplification = edge.amplification();
      out.status_classes = edge.status_classes;
      for (std::size_t bit = 0; bit < 13; ++bit) {
        if (edge.flags[bit] != 0) {
          out.flags.emplace_back(core::responseFlagsString(1u << bit), edge.flags[bit]);
        }
      }
      if (edge.flags[13] != 0) {
        out.flags.emplace_back("-", edge.flags[13]);
      }
      out.latency = summarizeLatency(edge.latency);
      r.edges.push_back(std::move(out));
    }
  }

  // Sidecar cost: CPU of every sidecar's workers over the whole run, memory as base + peak
  // connections, latency from the measured proxying passes.
  Duration cpu{0};
  Duration sojourn{0};
  std::uint64_t passes = 0;
  double memory = 0;
  for (const auto& workload : mesh.workloads()) {
    if (!workload->has_sidecar || !workload->app) {
      continue;
    }
    ++r.sidecars;
    Sidecar& sidecar = *workload->sidecar;
    cpu += sidecar.cpu().busyTime();
    sojourn += sidecar.cpu().measuredSojourn();
    passes += sidecar.cpu().measuredJobs();
    memory += static_cast<double>(sidecar.spec().memory_base +
                                  sidecar.peakConnections() * sidecar.spec().memory_per_connection);
  }
  r.sim_seconds = core::toSeconds(scenario.warmup + scenario.duration);
  r.sidecar_cpu_cores = ratio(core::toSeconds(cpu), r.sim_seconds);
  r.sidecar_memory_mib = memory / (1024.0 * 1024.0);
  r.sidecar_pass_ms = passes == 0 ? 0.0 : ms(sojourn.count()) / static_cast<double>(passes);
  // A meshed hop crosses the caller's sidecar and the callee's, each way.
  r.sidecar_added_latency_ms = 4 * r.sidecar_pass_ms;

  r.handshakes_full = m.handshakes_full;
  r.handshakes_resumed = m.handshakes_resumed;
  r.connections_opened = m.connections_opened;
  r.connections_refused = m.connections_refused;
  r.tls_cpu_seconds = core::toSeconds(m.tls_cpu);

  for (const auto& workload : mesh.workloads()) {
    for (const auto& cluster : workload->sidecar->outbound().clusters()) {
      const core::ClusterStats& stats = cluster->stats();
#define MESHSIM_SUM_COUNTER(field, name) r.proxy_totals.field += stats.field;
      MESHSIM_CLUSTER_COUNTERS(MESHSIM_SUM_COUNTER)
#undef MESHSIM_SUM_COUNTER
    }
  }

  r.events = mesh.sim().eventsFired();
  r.wall_seconds = mesh.wallSeconds();
  r.events_per_second = ratio(static_cast<double>(r.events), r.wall_seconds);
  r.requests_per_second = ratio(static_cast<double>(r.requests), r.wall_seconds);
  return r;
}

std::string warmupText(const RunSummary& r) {
  char text[96];
  if (r.warmup_detected) {
    std::snprintf(text, sizeof(text), "%.1f s warm-up (MSER-5%s)", r.warmup_s,
                  r.warmup_at_search_limit ? ", at its search limit: run too short" : "");
  } else {
    std::snprintf(text, sizeof(text), "%.0f s warm-up", r.warmup_s);
  }
  return text;
}

}  // namespace meshsim::sim
