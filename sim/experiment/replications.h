#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/yaml_node.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/report/run_summary.h"
#include "sim/scenario/scenario.h"
#include "sim/stats/confidence_interval.h"

namespace meshsim::sim {

// Called after each finished job with the number done so far and the total; calls are serialised
// (never concurrent) but come from worker threads.
using JobProgress = std::function<void(std::size_t done, std::size_t total)>;

// Runs job(0) .. job(count - 1) on min(threads, count) std::threads that pull indices from a shared
// counter. Each job must write only to its own slot of caller-owned storage: then the outcome does
// not depend on `threads` or on scheduling. If jobs throw, every job still runs to its end and
// the exception of the lowest failing index is rethrown (again independent of `threads`).
void runParallel(std::size_t count, std::size_t threads,
                 const std::function<void(std::size_t)>& job, const JobProgress& progress = {});

// One reported number of a run, addressed by its path in summary.json (e.g.
// {"services", "ratings", "latency_ms", "p99"}; edges are keyed "from -> to").
struct Metric {
  std::vector<std::string> path;
  double value;
};

// Every reproducible number of a RunSummary that summary.json reports (wall-clock figures and
// constants such as seed or worker counts excluded), in summary.json order.
std::vector<Metric> flattenSummary(const RunSummary& summary);

// A metric over independent replications with its Student t 95 % interval.
struct AggregatedMetric {
  std::vector<std::string> path;
  std::vector<double> values;  // by replication index
  ConfidenceInterval ci;
};

// The metrics of R replications aggregated. A metric absent from a replication (an edge that
// carried no call there) counts 0 in it, which is what that replication's summary would report.
// Order: a metric first seen in replication k > 0 joins its group (e.g. the other edges) rather
// than the end, so the nested JSON stays grouped.
class ReplicatedMetrics {
 public:
  ReplicatedMetrics() = default;
  explicit ReplicatedMetrics(const std::vector<std::vector<Metric>>& replications);

  std::size_t replications() const { return replications_; }
  const std::vector<AggregatedMetric>& metrics() const { return metrics_; }
  // nullptr when no replication reported the path.
  const AggregatedMetric* find(const std::vector<std::string>& path) const;
  // Values of `path` by replication, zeros when absent.
  std::vector<double> values(const std::vector<std::string>& path) const;

 private:
  std::size_t replications_ = 0;
  std::vector<AggregatedMetric> metrics_;
  std::map<std::vector<std::string>, std::size_t> index_;
};

// A scenario variant ready to simulate: the mesh refers to both members, so a Variant lives on the
// heap and never moves once its policies are imported.
struct Variant {
  Scenario scenario;
  ScenarioPolicies policies;
};
// loadScenario + importScenarioPolicies; throws config::ConfigError on bad input.
std::unique_ptr<Variant> loadVariant(const std::string& path,
                                     const std::vector<std::string>& overrides,
                                     config::Warnings& warnings);

struct ReplicationOptions {
  std::size_t replications = 1;
  std::size_t threads = 1;
  RecordingOptions recording;
  // Keep replication 0's finished mesh (its time series, traces and Prometheus metrics go to the
  // run directory).
  bool keep_first_mesh = false;
  JobProgress progress;
};

struct ReplicationResult {
  std::vector<RunSummary> summaries;  // by replication index
  std::unique_ptr<Mesh> first_mesh;   // set with keep_first_mesh
  ReplicatedMetrics metrics;
};

// Replications 0 .. R-1 of one scenario (Mesh replication index = position), run in parallel.
// Replication 0 is exactly what a single `meshsim run` simulates.
ReplicationResult runReplications(const Scenario& scenario, const ScenarioPolicies& policies,
                                  const ReplicationOptions& options);

// Every (variant, replication) pair as one job in one pool, so a sweep keeps all threads busy;
// replication r of every variant uses Mesh replication index r (common random numbers across
// variants). Result i belongs to variants[i]. With `cancel` set (by another thread), the jobs not
// yet started are skipped and the result is empty (the GUI drops a comparison for a newer run).
std::vector<ReplicatedMetrics> runVariants(const std::vector<const Variant*>& variants,
                                           std::size_t replications, std::size_t threads,
                                           const JobProgress& progress = {},
                                           const std::atomic<bool>* cancel = nullptr);

}  // namespace meshsim::sim
