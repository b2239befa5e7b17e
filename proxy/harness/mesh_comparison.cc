#include "proxy/harness/mesh_comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "proxy/common/scenario_pods.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::proxy {

namespace {

constexpr const char* kEjections = "outlier_detection.ejections_enforced_total";
constexpr const char* kFlagsPrefix = "meshproxy.outbound.response_flags.";

std::string edgeName(const std::string& caller, const std::string& cluster) {
  return caller + " -> " + cluster;
}

double perRequest(double count, double requests) {
  return requests > 0 ? count / requests : 0;
}

double amplification(const std::map<std::string, double>& edge) {
  const double attempts = edge.at("upstream_rq_total");
  const double first = attempts - edge.at("upstream_rq_retry");
  return first > 0 ? attempts / first : 0;
}

std::string format(double value) {
  char text[32];
  if (value == std::floor(value) && std::abs(value) < 1e12) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.3f", value);
  }
  return text;
}

// The end-to-end percentiles both sides report, from a histogram of nanoseconds.
void setLatencyPercentiles(const sim::LatencyHistogram& latency, MeshCounts& counts) {
  counts.p50_ms = static_cast<double>(latency.percentile(50)) / 1e6;
  counts.p90_ms = static_cast<double>(latency.percentile(90)) / 1e6;
  counts.p99_ms = static_cast<double>(latency.percentile(99)) / 1e6;
}

}  // namespace

const std::vector<std::string>& comparedClusterStats() {
  static const std::vector<std::string> kStats = {"upstream_rq_total",
                                                  "upstream_rq_retry",
                                                  "upstream_rq_2xx",
                                                  "upstream_rq_5xx",
                                                  "upstream_rq_timeout",
                                                  "upstream_rq_per_try_timeout",
                                                  "upstream_rq_pending_overflow",
                                                  "upstream_rq_retry_overflow",
                                                  kEjections};
  return kStats;
}

MeshCounts realCounts(const sim::Scenario& scenario,
                      const std::vector<std::map<std::string, std::uint64_t>>& stats,
                      const LoadResult& load) {
  MeshCounts counts;
  const std::vector<PodRef> pods = scenarioPods(scenario);
  for (std::size_t i = 0; i < pods.size() && i < stats.size(); ++i) {
    const std::string& caller = scenario.services[pods[i].service].name;
    for (const sim::ServiceSpec& callee : scenario.services) {
      // Istio clusters: the service-wide one, then its subsets ("reviews|v2").
      for (const auto& [name, value] : stats[i]) {
        if (name.rfind("cluster." + callee.name, 0) != 0) {
          continue;
        }
        const std::string rest = name.substr(8);
        for (const std::string& stat : comparedClusterStats()) {
          if (rest.size() > stat.size() + 1 &&
              rest.compare(rest.size() - stat.size(), stat.size(), stat) == 0 &&
              rest[rest.size() - stat.size() - 1] == '.') {
            const std::string cluster = rest.substr(0, rest.size() - stat.size() - 1);
            if (cluster == callee.name || cluster.rfind(callee.name + "|", 0) == 0) {
              counts.edges[edgeName(caller, cluster)][stat] += static_cast<double>(value);
            }
          }
        }
      }
    }
    if (const auto it = stats[i].find("meshproxy.outbound.ssl.handshake"); it != stats[i].end()) {
      counts.tls_handshakes += static_cast<double>(it->second);
    }
    for (const auto& [name, value] : stats[i]) {
      if (name.rfind(kFlagsPrefix, 0) == 0) {
        counts.flags[caller][name.substr(std::string(kFlagsPrefix).size())] +=
            static_cast<double>(value);
      }
    }
  }
  counts.requests = static_cast<double>(load.requests);
  counts.succeeded = static_cast<double>(load.succeeded);
  setLatencyPercentiles(load.latency, counts);
  return counts;
}

MeshCounts simulatedCounts(sim::Mesh& mesh) {
  MeshCounts counts;
  const sim::Scenario& scenario = mesh.scenario();
  for (const auto& workload : mesh.workloads()) {
    if (!workload->app) {
      continue;  // the load generator's pass-through client is the harness itself for real
    }
    const std::string& caller = scenario.services[workload->service].name;
    for (const auto& cluster : workload->sidecar->outbound().clusters()) {
      std::map<std::string, double>& edge = counts.edges[edgeName(caller, cluster->name())];
      cluster->stats().forEach([&](std::string_view name, std::uint64_t value, bool) {
        const auto& compared = comparedClusterStats();
        if (std::find(compared.begin(), compared.end(), name) != compared.end()) {
          edge[std::string(name)] += static_cast<double>(value);
        }
      });
    }
  }
  const sim::MeshMetrics& metrics = mesh.metrics();
  for (sim::Index from = 0; from < scenario.services.size(); ++from) {
    for (sim::Index to = 0; to < scenario.services.size(); ++to) {
      const sim::EdgeMetrics& edge = metrics.edge(from, to);
      for (std::size_t bit = 0; bit < 13; ++bit) {
        if (edge.flags[bit] > 0) {
          counts.flags[scenario.services[from].name]
                      [core::responseFlagsString(static_cast<core::ResponseFlags>(1u << bit))] +=
              static_cast<double>(edge.flags[bit]);
        }
      }
    }
  }
  counts.tls_handshakes = static_cast<double>(metrics.handshakes_full + metrics.handshakes_resumed);
  counts.requests = static_cast<double>(metrics.requests);
  counts.succeeded = static_cast<double>(metrics.succeeded);
  setLatencyPercentiles(metrics.latency, counts);
  return counts;
}

void noteFirstEjections(const MeshCounts& now, double seconds, MeshCounts& into) {
  for (const auto& [edge, stats] : now.edges) {
    const auto ejections = stats.find(kEjections);
    if (ejections != stats.end() && ejections->second > 0) {
      into.first_ejection_s.try_emplace(edge, seconds);
    }
  }
}

MeshCounts meanCounts(const std::vector<MeshCounts>& runs) {
  MeshCounts mean;
  const double n = static_cast<double>(runs.size());
  std::map<std::string, int> ejecting_runs;
  for (const MeshCounts& run : runs) {
    for (const auto& [edge, seconds] : run.first_ejection_s) {
      mean.first_ejection_s[edge] += seconds;
      ++ejecting_runs[edge];
    }
  }
  for (auto& [edge, seconds] : mean.first_ejection_s) {
    seconds /= ejecting_runs[edge];
  }
  for (const MeshCounts& run : runs) {
    for (const auto& [edge, stats] : run.edges) {
      for (const auto& [stat, value] : stats) {
        mean.edges[edge][stat] += value / n;
      }
    }
    for (const auto& [caller, flags] : run.flags) {
      for (const auto& [flag, value] : flags) {
        mean.flags[caller][flag] += value / n;
      }
    }
    mean.tls_handshakes += run.tls_handshakes / n;
    mean.requests += run.requests / n;
    mean.succeeded += run.succeeded / n;
    mean.p50_ms += run.p50_ms / n;
    mean.p90_ms += run.p90_ms / n;
    mean.p99_ms += run.p99_ms / n;
  }
  return mean;
}

std::vector<ComparisonRow> compare(const MeshCounts& real, const MeshCounts& simulated,
                                   double tolerance) {
  std::vector<ComparisonRow> rows;
  const auto add = [&](std::string what, double r, double s, Check check) {
    ComparisonRow row{std::move(what), r, s, check, true};
    if (check == Check::kExact) {
      row.ok = std::abs(r - s) < 1e-9;
    } else if (check == Check::kRelative) {
      row.ok = std::abs(r - s) <= tolerance * std::max(std::abs(s), 1e-9);
    }
    rows.push_back(std::move(row));
  };
  add("end-to-end requests", real.requests, simulated.requests, Check::kNone);
  add("end-to-end success rate", perRequest(real.succeeded, real.requests),
      perRequest(simulated.succeeded, simulated.requests), Check::kRelative);
  add("end-to-end p50 (ms)", real.p50_ms, simulated.p50_ms, Check::kNone);
  add("end-to-end p90 (ms)", real.p90_ms, simulated.p90_ms, Check::kNone);
  add("end-to-end p99 (ms)", real.p99_ms, simulated.p99_ms, Check::kNone);
  add("mTLS handshakes between sidecars", real.tls_handshakes, simulated.tls_handshakes,
      Check::kNone);

  std::map<std::string, bool> edges;
  for (const auto* side : {&real, &simulated}) {
    for (const auto& [edge, stats] : side->edges) {
      edges[edge] = true;
    }
  }
  const std::map<std::string, double> kEmpty;
  for (const auto& [edge, present] : edges) {
    const auto r_it = real.edges.find(edge);
    const auto s_it = simulated.edges.find(edge);
    std::map<std::string, double> r = r_it == real.edges.end() ? kEmpty : r_it->second;
    std::map<std::string, double> s = s_it == simulated.edges.end() ? kEmpty : s_it->second;
    for (const std::string& stat : comparedClusterStats()) {
      r.try_emplace(stat, 0.0);
      s.try_emplace(stat, 0.0);
    }
    if (r["upstream_rq_total"] == 0 && s["upstream_rq_total"] == 0) {
      continue;
    }
    add(edge + ": attempts", r["upstream_rq_total"], s["upstream_rq_total"], Check::kNone);
    add(edge + ": attempts per request", perRequest(r["upstream_rq_total"], real.requests),
        perRequest(s["upstream_rq_total"], simulated.requests), Check::kRelative);
    add(edge + ": retries", r["upstream_rq_retry"], s["upstream_rq_retry"], Check::kNone);
    add(edge + ": amplification", amplification(r), amplification(s), Check::kRelative);
    add(edge + ": 5xx", r["upstream_rq_5xx"], s["upstream_rq_5xx"], Check::kNone);
    add(edge + ": ejections", r[kEjections], s[kEjections], Check::kExact);
    const auto real_first = real.first_ejection_s.find(edge);
    const auto simulated_first = simulated.first_ejection_s.find(edge);
    if (real_first != real.first_ejection_s.end() ||
        simulated_first != simulated.first_ejection_s.end()) {
      add(edge + ": first ejection at (s)",
          real_first == real.first_ejection_s.end() ? -1 : real_first->second,
          simulated_first == simulated.first_ejection_s.end() ? -1 : simulated_first->second,
          Check::kNone);
    }
    for (const char* stat : {"upstream_rq_pending_overflow", "upstream_rq_retry_overflow",
                             "upstream_rq_timeout", "upstream_rq_per_try_timeout"}) {
      if (r[stat] > 0 || s[stat] > 0) {
        add(edge + ": " + stat, r[stat], s[stat], Check::kNone);
      }
    }
  }
  std::map<std::string, std::map<std::string, bool>> flags;
  for (const auto* side : {&real, &simulated}) {
    for (const auto& [caller, counts] : side->flags) {
      for (const auto& [flag, value] : counts) {
        flags[caller][flag] = true;
      }
    }
  }
  for (const auto& [caller, names] : flags) {
    for (const auto& [flag, present] : names) {
      const auto value = [&](const MeshCounts& side) {
        const auto it = side.flags.find(caller);
        if (it == side.flags.end()) {
          return 0.0;
        }
        const auto f = it->second.find(flag);
        return f == it->second.end() ? 0.0 : f->second;
      };
      add(caller + " outbound: response flag " + flag, value(real), value(simulated), Check::kNone);
    }
  }
  return rows;
}

void printComparison(std::ostream& out, const std::vector<ComparisonRow>& rows, double tolerance) {
  std::size_t width = 10;
  for (const ComparisonRow& row : rows) {
    width = std::max(width, row.what.size());
  }
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %12s %12s  %s\n", static_cast<int>(width), "", "real",
                "simulated", "check");
  out << line;
  for (const ComparisonRow& row : rows) {
    std::string check;
    if (row.check == Check::kExact) {
      check = row.ok ? "ok (exact)" : "MISMATCH (exact)";
    } else if (row.check == Check::kRelative) {
      check =
          std::string(row.ok ? "ok" : "MISMATCH") + " (within " + format(tolerance * 100) + " %)";
    }
    std::snprintf(line, sizeof line, "%-*s %12s %12s  %s\n", static_cast<int>(width),
                  row.what.c_str(), format(row.real).c_str(), format(row.simulated).c_str(),
                  check.c_str());
    out << line;
  }
}

}  // namespace meshsim::proxy
