#include "sim/experiment/replicated_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/report/json_writer.h"
#include "sim/report/run_outputs.h"

namespace meshsim::sim {

namespace {

ConfidenceInterval metricCi(const ReplicatedMetrics& metrics,
                            const std::vector<std::string>& path) {
  const AggregatedMetric* metric = metrics.find(path);
  if (metric != nullptr) {
    return metric->ci;
  }
  return studentT95(std::vector<double>(metrics.replications(), 0.0));
}

std::string scaled(ConfidenceInterval ci, double factor, int decimals) {
  ci.mean *= factor;
  ci.half_width *= factor;
  return formatInterval(ci, decimals);
}

}  // namespace

std::string formatInterval(const ConfidenceInterval& ci, int decimals) {
  char text[96];
  if (std::isfinite(ci.half_width)) {
    std::snprintf(text, sizeof(text), "%.*f ±%.*f", decimals, ci.mean, decimals, ci.half_width);
  } else {
    std::snprintf(text, sizeof(text), "%.*f ±inf", decimals, ci.mean);
  }
  return text;
}

void writeReplicatedSummaryJson(std::ostream& out, const RunSummary& first,
                                const ReplicatedMetrics& metrics) {
  JsonWriter json(out);
  json.beginObject();
  json.field("meshsim_version", first.version);
  json.field("scenario", first.scenario);
  json.field("seed", first.seed);
  json.field("duration_s", first.duration_s);
  writeWarmupFields(json, first);
  json.field("replications", static_cast<std::uint64_t>(metrics.replications()));
  // Metrics come grouped by path (ReplicatedMetrics), so nesting is a matter of closing and
  // opening objects where consecutive paths diverge.
  std::vector<std::string> open;
  for (const AggregatedMetric& metric : metrics.metrics()) {
    const std::vector<std::string>& path = metric.path;
    std::size_t common = 0;
    while (common < open.size() && common + 1 < path.size() && open[common] == path[common]) {
      ++common;
    }
    while (open.size() > common) {
      json.endObject();
      open.pop_back();
    }
    for (std::size_t i = common; i + 1 < path.size(); ++i) {
      json.key(path[i]);
      json.beginObject();
      open.push_back(path[i]);
    }
    json.key(path.back());
    json.beginObject();
    json.field("mean", metric.ci.mean);
    json.field("ci95", metric.ci.half_width);
    json.endObject();
  }
  while (!open.empty()) {
    json.endObject();
    open.pop_back();
  }
  json.endObject();
}

void writeReplicationsCsv(std::ostream& out, const ReplicatedMetrics& metrics) {
  static const std::vector<std::pair<const char*, std::vector<std::string>>> kColumns = {
      {"requests", {"requests", "total"}},
      {"success_rate", {"requests", "success_rate"}},
      {"latency_mean_ms", {"latency_ms", "mean"}},
      {"latency_p50_ms", {"latency_ms", "p50"}},
      {"latency_p99_ms", {"latency_ms", "p99"}},
      {"retries", {"proxy_counters", "upstream_rq_retry"}},
      {"sidecar_cpu_cores", {"sidecars", "cpu_cores"}},
  };
  out << "replication";
  for (const auto& column : kColumns) {
    out << ',' << column.first;
  }
  out << '\n';
  std::vector<std::vector<double>> values;
  for (const auto& column : kColumns) {
    values.push_back(metrics.values(column.second));
  }
  for (std::size_t r = 0; r < metrics.replications(); ++r) {
    out << r;
    for (const std::vector<double>& column : values) {
      out << ',';
      JsonWriter::formatNumber(out, column[r]);
    }
    out << '\n';
  }
}

void printReplicatedTable(std::ostream& out, const RunSummary& r, const ReplicatedMetrics& m) {
  char line[768];
  std::snprintf(line, sizeof(line),
                "meshsim run: %s  (seed %llu, %zu replications, %.0f s measured after %s; ± is "
                "the 95 %% Student t half width)\n\n",
                r.scenario.c_str(), static_cast<unsigned long long>(r.seed), m.replications(),
                r.duration_s, warmupText(r).c_str());
  out << line;
  const auto ci = [&](std::vector<std::string> path) { return metricCi(m, path); };
  out << "End to end   requests " << scaled(ci({"requests", "total"}), 1, 0) << "  rps "
      << scaled(ci({"requests", "rps"}), 1, 1) << "  success % "
      << scaled(ci({"requests", "success_rate"}), 100, 2) << "\n";
  out << "  latency ms mean " << scaled(ci({"latency_ms", "mean"}), 1, 2) << "  p50 "
      << scaled(ci({"latency_ms", "p50"}), 1, 2) << "  p90 "
      << scaled(ci({"latency_ms", "p90"}), 1, 2) << "  p99 "
      << scaled(ci({"latency_ms", "p99"}), 1, 2) << "  p99.9 "
      << scaled(ci({"latency_ms", "p999"}), 1, 2) << "\n\n";

  int service_width = 18;
  for (const ServiceSummary& service : r.services) {
    service_width = std::max(service_width, static_cast<int>(service.name.size()));
  }
  std::snprintf(line, sizeof(line), "%-*s %16s %16s %16s %18s %18s\n", service_width, "Service",
                "rps", "errors %", "utilization %", "p50 ms", "p99 ms");
  out << line;
  for (const ServiceSummary& service : r.services) {
    const auto s = [&](std::vector<std::string> tail) {
      tail.insert(tail.begin(), {"services", service.name});
      return ci(tail);
    };
    std::snprintf(
        line, sizeof(line), "%-*s %16s %16s %16s %18s %18s\n", service_width, service.name.c_str(),
        scaled(s({"rps"}), 1, 1).c_str(), scaled(s({"error_rate"}), 100, 2).c_str(),
        scaled(s({"utilization"}), 100, 1).c_str(), scaled(s({"latency_ms", "p50"}), 1, 2).c_str(),
        scaled(s({"latency_ms", "p99"}), 1, 2).c_str());
    out << line;
  }

  // Edges of every replication (an edge may carry calls in some replications only).
  std::vector<std::string> edges;
  for (const AggregatedMetric& metric : m.metrics()) {
    if (metric.path.size() == 3 && metric.path[0] == "edges" && metric.path[2] == "calls") {
      edges.push_back(metric.path[1]);
    }
  }
  int edge_width = 30;
  for (const std::string& edge : edges) {
    edge_width = std::max(edge_width, static_cast<int>(edge.size()));
  }
  std::snprintf(line, sizeof(line), "\n%-*s %16s %18s %16s %16s %18s\n", edge_width, "Edge",
                "calls", "attempts", "amplif.", "failed", "p99 ms");
  out << line;
  for (const std::string& edge : edges) {
    const auto e = [&](std::vector<std::string> tail) {
      tail.insert(tail.begin(), {"edges", edge});
      return ci(tail);
    };
    std::snprintf(line, sizeof(line), "%-*s %16s %18s %16s %16s %18s\n", edge_width, edge.c_str(),
                  scaled(e({"calls"}), 1, 0).c_str(), scaled(e({"attempts"}), 1, 0).c_str(),
                  scaled(e({"amplification"}), 1, 3).c_str(),
                  scaled(e({"failed_calls"}), 1, 0).c_str(),
                  scaled(e({"latency_ms", "p99"}), 1, 2).c_str());
    out << line;
  }
  out << "\nSidecars     " << r.sidecars << "  cpu vCPU "
      << scaled(ci({"sidecars", "cpu_cores"}), 1, 3) << "  memory MiB "
      << scaled(ci({"sidecars", "memory_mib"}), 1, 1) << "  added latency ms per hop "
      << scaled(ci({"sidecars", "added_latency_ms"}), 1, 3) << "\n";
  out << "TLS          handshakes full " << scaled(ci({"tls", "handshakes_full"}), 1, 0)
      << "  resumed " << scaled(ci({"tls", "handshakes_resumed"}), 1, 0) << "\n";
  out << "Proxies      retries " << scaled(ci({"proxy_counters", "upstream_rq_retry"}), 1, 0)
      << "  ejections " << scaled(ci({"outlier", "ejections"}), 1, 1) << "\n";
}

}  // namespace meshsim::sim
