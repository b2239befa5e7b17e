#include "sim/report/run_outputs.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/proxy/cluster.h"
#include "core/stats/response_flags.h"
#include "sim/mesh/sidecar.h"
#include "sim/report/json_writer.h"

namespace meshsim::sim {

namespace {

constexpr const char* kE2eService = "_e2e";

void writeLatency(JsonWriter& json, const LatencySummary& latency) {
  json.beginObject();
  json.field("count", latency.count);
  json.field("mean", latency.mean);
  json.field("p50", latency.p50);
  json.field("p90", latency.p90);
  json.field("p99", latency.p99);
  json.field("p999", latency.p999);
  json.field("max", latency.max);
  json.endObject();
}

void number(std::ostream& out, double value) {
  JsonWriter::formatNumber(out, value);
}

double seconds(SimTime t) {
  return core::toSeconds(t - core::kTimeZero);
}

// A deployment's labels (MeshMetrics::deployment slots): Istio's workload name is the
// Deployment's, <service>-<version>; "unknown" when no upstream host answered.
struct DeploymentLabels {
  std::string service;
  std::string workload;
  std::string version;
};

std::vector<DeploymentLabels> deploymentLabels(const Scenario& scenario) {
  std::vector<DeploymentLabels> labels;
  for (const ServiceSpec& service : scenario.services) {
    for (const VersionSpec& version : service.versions) {
      labels.push_back({service.name, service.name + "-" + version.name, version.name});
    }
    labels.push_back({service.name, "unknown", "unknown"});
  }
  labels.push_back({"load-generator", "load-generator", "unknown"});
  return labels;
}

std::string escapeLabel(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string promName(std::string_view stat) {
  std::string out(stat);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

std::string bucketBound(double ms) {
  std::ostringstream out;
  number(out, ms);
  return out.str();
}

}  // namespace

void writeWarmupFields(JsonWriter& json, const RunSummary& r) {
  json.field("warmup_s", r.warmup_s);
  json.field("warmup_detected", r.warmup_detected);
  if (r.warmup_detected) {
    json.field("warmup_method", "MSER-5");
    json.field("warmup_at_search_limit", r.warmup_at_search_limit);
  }
}

void writeSummaryJson(std::ostream& out, const RunSummary& r) {
  JsonWriter json(out);
  json.beginObject();
  json.field("meshsim_version", r.version);
  json.field("scenario", r.scenario);
  json.field("seed", r.seed);
  json.field("duration_s", r.duration_s);
  writeWarmupFields(json, r);

  json.key("requests");
  json.beginObject();
  json.field("total", r.requests);
  json.field("succeeded", r.succeeded);
  json.field("failed", r.failed);
  json.field("rps", r.rps);
  json.field("success_rate", r.success_rate);
  json.endObject();
  json.key("latency_ms");
  writeLatency(json, r.latency);

  json.key("services");
  json.beginObject();
  for (const ServiceSummary& s : r.services) {
    json.key(s.name);
    json.beginObject();
    json.field("sidecar", s.sidecar);
    json.field("requests", s.requests);
    json.field("attempts", s.attempts);
    json.field("completed", s.completed);
    json.field("errors", s.errors);
    json.field("rejected", s.rejected);
    json.field("wasted", s.wasted);
    json.field("wasted_work_s", s.wasted_work_s);
    json.field("workers", s.workers);
    json.field("rps", s.rps);
    json.field("error_rate", s.error_rate);
    json.field("utilization", s.utilization);
    json.key("latency_ms");
    writeLatency(json, s.latency);
    json.endObject();
  }
  json.endObject();

  json.key("edges");
  json.beginArray();
  for (const EdgeSummary& e : r.edges) {
    json.beginObject();
    json.field("from", e.from);
    json.field("to", e.to);
    json.field("calls", e.calls);
    json.field("requests", e.requests);
    json.field("attempts", e.attempts);
    json.field("retries", e.retries);
    json.field("amplification", e.amplification);
    json.field("failed_calls", e.failed_calls);
    json.field("app_timeouts", e.app_timeouts);
    json.key("responses");
    json.beginObject();
    static constexpr const char* kClasses[] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (std::size_t c = 0; c < e.status_classes.size(); ++c) {
      json.field(kClasses[c], e.status_classes[c]);
    }
    json.endObject();
    json.key("response_flags");
    json.beginObject();
    for (const auto& [flag, count] : e.flags) {
      json.field(flag, count);
    }
    json.endObject();
    json.key("latency_ms");
    writeLatency(json, e.latency);
    json.endObject();
  }
  json.endArray();

  json.key("sidecars");
  json.beginObject();
  json.field("count", static_cast<std::uint64_t>(r.sidecars));
  json.field("cpu_cores", r.sidecar_cpu_cores);
  json.field("memory_mib", r.sidecar_memory_mib);
  json.field("added_latency_ms", r.sidecar_added_latency_ms);
  json.field("pass_latency_ms", r.sidecar_pass_ms);
  json.endObject();

  json.key("tls");
  json.beginObject();
  json.field("handshakes_full", r.handshakes_full);
  json.field("handshakes_resumed", r.handshakes_resumed);
  json.field("cpu_seconds", r.tls_cpu_seconds);
  json.field("connections_opened", r.connections_opened);
  json.field("connections_refused", r.connections_refused);
  json.endObject();

  json.key("outlier");
  json.beginObject();
  json.field("ejections", r.proxy_totals.outlier_ejections_enforced_total);
  json.field("ejections_overflow", r.proxy_totals.outlier_ejections_overflow);
  json.endObject();

  json.key("proxy_counters");
  json.beginObject();
  r.proxy_totals.forEach([&](std::string_view name, std::uint64_t value, bool gauge) {
    if (!gauge) {
      json.field(name, value);
    }
  });
  json.endObject();

  json.key("engine");
  json.beginObject();
  json.field("events", r.events);
  json.field("sim_seconds", r.sim_seconds);
  json.endObject();
  json.endObject();
}

void writeEngineJson(std::ostream& out, const RunSummary& r) {
  JsonWriter json(out);
  json.beginObject();
  json.field("events", r.events);
  json.field("sim_seconds", r.sim_seconds);
  json.field("wall_seconds", r.wall_seconds);
  json.field("events_per_second", r.events_per_second);
  json.field("requests_per_second", r.requests_per_second);
  json.endObject();
}

void writeTimeSeriesCsv(std::ostream& out, const Mesh& mesh) {
  const MeshMetrics& m = mesh.metrics();
  const Scenario& scenario = mesh.scenario();
  const std::size_t series_count = m.series.size();
  out << "interval_start_s,interval_s,service,arrivals,rps,completed,errors,error_rate,rejected,"
         "latency_mean_ms,latency_p50_ms,latency_p90_ms,latency_p99_ms,in_flight,queued\n";
  const std::size_t rows = m.series.empty() ? 0 : m.series[0].rows().size();
  for (std::size_t k = 0; k < rows; ++k) {
    for (std::size_t s = 0; s < series_count; ++s) {
      const TimeSeries::Row& row = m.series[s].rows()[k];
      const double width = core::toSeconds(row.width);
      const std::uint64_t arrivals = row.counters[kSeriesArrivals];
      const std::uint64_t completed = row.counters[kSeriesCompleted];
      const std::uint64_t errors = row.counters[kSeriesErrors];
      number(out, seconds(row.start));
      out << ',';
      number(out, width);
      out << ',' << (s == scenario.services.size() ? kE2eService : scenario.services[s].name) << ','
          << arrivals << ',';
      number(out, width > 0 ? static_cast<double>(arrivals) / width : 0.0);
      out << ',' << completed << ',' << errors << ',';
      number(out,
             completed == 0 ? 0.0 : static_cast<double>(errors) / static_cast<double>(completed));
      out << ',' << row.counters[kSeriesRejected] << ',';
      if (row.count != 0) {
        number(out, row.mean_ns / 1e6);
        out << ',';
        number(out, static_cast<double>(row.p50_ns) / 1e6);
        out << ',';
        number(out, static_cast<double>(row.p90_ns) / 1e6);
        out << ',';
        number(out, static_cast<double>(row.p99_ns) / 1e6);
      } else {
        out << ",,,";
      }
      const std::size_t g = k * series_count + s;
      const SeriesGauges gauges = g < m.gauges.size() ? m.gauges[g] : SeriesGauges{};
      out << ',' << gauges.in_flight << ',' << gauges.queued << '\n';
    }
  }
}

void writeEdgesCsv(std::ostream& out, const RunSummary& r) {
  out << "from,to,calls,requests,attempts,retries,amplification,failed_calls,app_timeouts,"
         "responses_none,responses_1xx,responses_2xx,responses_3xx,responses_4xx,responses_5xx,"
         "response_flags,latency_mean_ms,latency_p50_ms,latency_p90_ms,latency_p99_ms,"
         "latency_p999_ms\n";
  for (const EdgeSummary& e : r.edges) {
    out << e.from << ',' << e.to << ',' << e.calls << ',' << e.requests << ',' << e.attempts << ','
        << e.retries << ',';
    number(out, e.amplification);
    out << ',' << e.failed_calls << ',' << e.app_timeouts;
    for (const std::uint64_t count : e.status_classes) {
      out << ',' << count;
    }
    out << ',';
    for (std::size_t i = 0; i < e.flags.size(); ++i) {
      out << (i == 0 ? "" : ";") << e.flags[i].first << ':' << e.flags[i].second;
    }
    for (const double v :
         {e.latency.mean, e.latency.p50, e.latency.p90, e.latency.p99, e.latency.p999}) {
      out << ',';
      number(out, v);
    }
    out << '\n';
  }
}

void writePrometheus(std::ostream& out, const Mesh& mesh) {
  const MeshMetrics& m = mesh.metrics();
  const std::vector<DeploymentLabels> labels = deploymentLabels(mesh.scenario());
  const auto edgeLabels = [&](std::size_t source, std::size_t destination) {
    const DeploymentLabels& src = labels[source];
    const DeploymentLabels& dst = labels[destination];
    return "reporter=\"source\",source_workload=\"" + escapeLabel(src.workload) +
           "\",source_version=\"" + escapeLabel(src.version) + "\",destination_workload=\"" +
           escapeLabel(dst.workload) + "\",destination_version=\"" + escapeLabel(dst.version) +
           "\",destination_service_name=\"" + escapeLabel(dst.service) + "\"";
  };

  out << "# HELP istio_requests_total Requests completed in the measured window (reporter: the "
         "caller's sidecar).\n# TYPE istio_requests_total counter\n";
  for (std::size_t source = 0; source < m.deployments; ++source) {
    for (std::size_t destination = 0; destination < m.deployments; ++destination) {
      const auto& edge = m.istio[source * m.deployments + destination];
      if (!edge) {
        continue;
      }
      std::vector<IstioEdgeMetrics::CodeCount> codes = edge->requests;
      std::sort(codes.begin(), codes.end(), [](const auto& a, const auto& b) {
        return a.status != b.status ? a.status < b.status : a.flags < b.flags;
      });
      for (const auto& code : codes) {
        out << "istio_requests_total{" << edgeLabels(source, destination) << ",response_code=\""
            << code.status << "\",response_flags=\"" << core::responseFlagsString(code.flags)
            << "\"} " << code.count << '\n';
      }
    }
  }

  out << "# HELP istio_request_duration_milliseconds Request duration as the caller's app sees "
         "it.\n# TYPE istio_request_duration_milliseconds histogram\n";
  for (std::size_t source = 0; source < m.deployments; ++source) {
    for (std::size_t destination = 0; destination < m.deployments; ++destination) {
      const auto& edge = m.istio[source * m.deployments + destination];
      if (!edge) {
        continue;
      }
      const std::string base = edgeLabels(source, destination);
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b < kIstioDurationBucketsMs.size(); ++b) {
        cumulative += edge->buckets[b];
        out << "istio_request_duration_milliseconds_bucket{" << base << ",le=\""
            << bucketBound(kIstioDurationBucketsMs[b]) << "\"} " << cumulative << '\n';
      }
      out << "istio_request_duration_milliseconds_bucket{" << base << ",le=\"+Inf\"} "
          << edge->count << '\n';
      out << "istio_request_duration_milliseconds_sum{" << base << "} ";
      number(out, static_cast<double>(edge->sum_ns) / 1e6);
      out << '\n';
      out << "istio_request_duration_milliseconds_count{" << base << "} " << edge->count << '\n';
    }
  }

  // Envoy cluster stats of every pod's outbound proxy, one metric family per stat.
  struct ClusterRow {
    std::string labels;
    std::vector<std::uint64_t> values;
  };
  std::vector<ClusterRow> clusters;
  std::vector<std::pair<std::string, bool>> stats;  // name, gauge
  for (const auto& workload : mesh.workloads()) {
    for (const auto& cluster : workload->sidecar->outbound().clusters()) {
      ClusterRow row;
      row.labels = "cluster_name=\"" + escapeLabel(cluster->name()) + "\",workload=\"" +
                   escapeLabel(workload->name) + "\"";
      const bool first = stats.empty();
      cluster->stats().forEach([&](std::string_view name, std::uint64_t value, bool gauge) {
        row.values.push_back(value);
        if (first) {
          stats.emplace_back(promName(name), gauge);
        }
      });
      clusters.push_back(std::move(row));
    }
  }
  for (std::size_t i = 0; i < stats.size(); ++i) {
    const std::string name = "envoy_cluster_" + stats[i].first;
    out << "# TYPE " << name << (stats[i].second ? " gauge\n" : " counter\n");
    for (const ClusterRow& row : clusters) {
      out << name << '{' << row.labels << "} " << row.values[i] << '\n';
    }
  }
}

void writeTraces(std::ostream& out, const Mesh& mesh) {
  const std::vector<SpanRecord>& spans = mesh.traces().spans();
  const Scenario& scenario = mesh.scenario();
  // Keep only spans whose ancestors were all recorded: a call still in flight at the end of the
  // run (or dropped by a crash) never reports its span, and its children would dangle.
  std::vector<bool> keep(spans.size(), true);
  for (bool changed = true; changed;) {
    changed = false;
    std::unordered_set<std::uint64_t> present;
    for (std::size_t i = 0; i < spans.size(); ++i) {
      if (keep[i]) {
        present.insert(spans[i].id);
      }
    }
    for (std::size_t i = 0; i < spans.size(); ++i) {
      if (keep[i] && spans[i].parent_id != 0 && !present.contains(spans[i].parent_id)) {
        keep[i] = false;
        changed = true;
      }
    }
  }
  // Group by trace (in order of first appearance), then by start time.
  std::unordered_map<std::uint64_t, std::size_t> trace_order;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (keep[i]) {
      trace_order.emplace(spans[i].trace_id, trace_order.size());
      order.push_back(i);
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const std::size_t ta = trace_order[spans[a].trace_id];
    const std::size_t tb = trace_order[spans[b].trace_id];
    return ta != tb ? ta < tb : spans[a].start < spans[b].start;
  });

  const auto serviceName = [&](Index s) {
    return s == scenario.services.size() ? std::string("load-generator")
                                         : scenario.services[s].name;
  };
  // One span per line, so the file greps and diffs well.
  out << '[';
  bool first = true;
  for (const std::size_t i : order) {
    const SpanRecord& span = spans[i];
    out << (first ? "\n" : ",\n");
    first = false;
    JsonWriter json(out, 0);
    json.beginObject();
    json.field("traceId", hex64(span.trace_id));
    json.field("id", hex64(span.id));
    if (span.parent_id != 0) {
      json.field("parentId", hex64(span.parent_id));
    }
    json.field("name", scenario.services[span.remote_service].name + ":9080" + span.path);
    json.field("kind", span.kind == SpanRecord::Kind::kClient ? "CLIENT" : "SERVER");
    json.field("timestamp",
               static_cast<std::int64_t>((span.start - core::kTimeZero).count() / 1000));
    json.field("duration", std::max<std::int64_t>(1, span.duration.count() / 1000));
    json.key("localEndpoint");
    json.beginObject();
    json.field("serviceName", serviceName(span.local_service));
    json.endObject();
    if (span.kind == SpanRecord::Kind::kClient) {
      json.key("remoteEndpoint");
      json.beginObject();
      json.field("serviceName", serviceName(span.remote_service));
      json.endObject();
    }
    json.key("tags");
    json.beginObject();
    json.field("http.status_code", std::to_string(span.status));
    json.field("http.url", span.path);
    json.field("node_id", span.workload);
    json.field("response_flags", core::responseFlagsString(span.flags));
    json.field("upstream_cluster", span.upstream_cluster.empty() ? "-" : span.upstream_cluster);
    json.endObject();
    json.endObject();
  }
  out << (first ? "]\n" : "\n]\n");
}

std::optional<std::string> checkRunDirectory(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (!fs::exists(status)) {
    return std::nullopt;
  }
  if (!fs::is_directory(status)) {
    return "output path '" + dir.string() + "' exists and is not a directory";
  }
  if (fs::is_empty(dir, error) || fs::exists(dir / "summary.json", error)) {
    return std::nullopt;
  }
  return "output directory '" + dir.string() +
         "' is not empty and holds no previous run (no summary.json); refusing to replace it";
}

void writeRunDirectory(const std::filesystem::path& requested, const Mesh& mesh,
                       const RunSummary& summary,
                       const std::vector<std::pair<std::string, RunFileWriter>>& files) {
  namespace fs = std::filesystem;
  fs::path dir = requested.lexically_normal();
  if (dir.filename().empty()) {
    dir = dir.parent_path();
  }
  if (const auto problem = checkRunDirectory(dir)) {
    throw std::runtime_error(*problem);
  }
  const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
  const std::string name = dir.filename().string();
  fs::create_directories(parent);
  // A fresh sibling on the same file system, so the final rename is atomic.
  fs::path temporary;
  for (int attempt = 0;; ++attempt) {
    temporary = parent / ("." + name + ".tmp" + std::to_string(attempt));
    if (fs::create_directory(temporary)) {
      break;
    }
    if (attempt > 1000) {
      throw std::runtime_error("cannot create a temporary directory next to " + dir.string());
    }
  }
  fs::path previous;
  try {
    const auto write = [&](const std::string& file, const RunFileWriter& standard) {
      const RunFileWriter* body = &standard;
      for (const auto& [file_name, writer] : files) {
        body = file_name == file ? &writer : body;
      }
      std::ofstream out(temporary / file, std::ios::binary);
      (*body)(out);
      out.close();
      if (!out) {
        throw std::runtime_error("cannot write " + (dir / file).string());
      }
    };
    write("summary.json", [&](std::ostream& out) { writeSummaryJson(out, summary); });
    write("engine.json", [&](std::ostream& out) { writeEngineJson(out, summary); });
    write("timeseries.csv", [&](std::ostream& out) { writeTimeSeriesCsv(out, mesh); });
    write("edges.csv", [&](std::ostream& out) { writeEdgesCsv(out, summary); });
    write("metrics.prom", [&](std::ostream& out) { writePrometheus(out, mesh); });
    write("traces.json", [&](std::ostream& out) { writeTraces(out, mesh); });
    for (const auto& [file_name, writer] : files) {
      if (!fs::exists(temporary / file_name)) {
        write(file_name, writer);
      }
    }
    if (fs::exists(dir)) {
      for (int attempt = 0;; ++attempt) {
        previous = parent / ("." + name + ".old" + std::to_string(attempt));
        if (!fs::exists(previous)) {
          break;
        }
      }
      fs::rename(dir, previous);
    }
    fs::rename(temporary, dir);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
    if (!previous.empty() && !fs::exists(dir, ignored)) {
      fs::rename(previous, dir, ignored);
    }
    throw;
  }
  if (!previous.empty()) {
    std::error_code ignored;
    fs::remove_all(previous, ignored);
  }
}

}  // namespace meshsim::sim
