#include "sim/experiment/comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "sim/experiment/replicated_report.h"

namespace meshsim::sim {

std::vector<KeyMetric> keyMetrics(const std::vector<const ReplicatedMetrics*>& runs) {
  std::vector<KeyMetric> out = {
      {"success_rate", {"requests", "success_rate"}},
      {"latency_mean_ms", {"latency_ms", "mean"}},
      {"latency_p50_ms", {"latency_ms", "p50"}},
      {"latency_p99_ms", {"latency_ms", "p99"}},
  };
  std::vector<std::string> edges;
  std::set<std::string> seen;
  for (const ReplicatedMetrics* run : runs) {
    for (const AggregatedMetric& metric : run->metrics()) {
      if (metric.path.size() == 3 && metric.path[0] == "edges" && metric.path[2] == "calls" &&
          seen.insert(metric.path[1]).second) {
        edges.push_back(metric.path[1]);
      }
    }
  }
  for (const std::string& edge : edges) {
    out.push_back({edge + " attempts", {"edges", edge, "attempts"}});
    out.push_back({edge + " amplification", {"edges", edge, "amplification"}});
  }
  out.push_back({"retries", {"proxy_counters", "upstream_rq_retry"}});
  out.push_back({"sidecar_cpu_cores", {"sidecars", "cpu_cores"}});
  return out;
}

std::vector<MetricComparison> compareRuns(const ReplicatedMetrics& a, const ReplicatedMetrics& b) {
  std::vector<MetricComparison> rows;
  for (KeyMetric& metric : keyMetrics({&a, &b})) {
    const std::vector<double> a_values = a.values(metric.path);
    const std::vector<double> b_values = b.values(metric.path);
    MetricComparison row{std::move(metric), studentT95(a_values), studentT95(b_values),
                         pairedDifference(b_values, a_values)};
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

// Enough decimals that a small but significant difference (a handful of retries in thousands of
// requests) shows two significant digits instead of "0.000 ±0.000 *".
int comparisonDecimals(const MetricComparison& row) {
  int decimals = row.metric.label == "success_rate" ? 4 : 3;
  const double scale =
      std::max(std::abs(row.difference.difference.mean), row.difference.difference.half_width);
  while (decimals < 8 && scale > 0.0 && scale < 10.0 * std::pow(10.0, -decimals)) {
    ++decimals;
  }
  return decimals;
}

}  // namespace

void printComparison(std::ostream& out, const std::string& a_name, const std::string& b_name,
                     const std::vector<MetricComparison>& rows, std::size_t replications) {
  out << "meshsim compare: A = " << a_name << ", B = " << b_name << "  (" << replications
      << " replications, common random numbers; ± is the 95 % Student t half width; * marks a "
         "difference B - A whose paired interval excludes 0)\n\n";
  int width = 24;
  for (const MetricComparison& row : rows) {
    width = std::max(width, static_cast<int>(row.metric.label.size()));
  }
  char line[768];
  std::snprintf(line, sizeof(line), "%-*s %22s %22s %24s\n", width, "Metric", "A", "B", "B - A");
  out << line;
  std::size_t significant = 0;
  for (const MetricComparison& row : rows) {
    const int decimals = comparisonDecimals(row);
    const std::string difference = formatInterval(row.difference.difference, decimals) +
                                   (row.difference.significant ? " *" : "  ");
    std::snprintf(line, sizeof(line), "%-*s %22s %22s %24s\n", width, row.metric.label.c_str(),
                  formatInterval(row.a, decimals).c_str(), formatInterval(row.b, decimals).c_str(),
                  difference.c_str());
    out << line;
    significant += row.difference.significant ? 1 : 0;
  }
  out << "\n" << significant << " of " << rows.size() << " differences significant at 95 %\n";
}

}  // namespace meshsim::sim
