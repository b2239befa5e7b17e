#include "sim/experiment/replications.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {

void runParallel(std::size_t count, std::size_t threads,
                 const std::function<void(std::size_t)>& job, const JobProgress& progress) {
  std::vector<std::exception_ptr> errors(count);
  std::atomic<std::size_t> next{0};
  std::mutex progress_mutex;
  std::size_t done = 0;
  const auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        job(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
      const std::lock_guard<std::mutex> lock(progress_mutex);
      ++done;
      if (progress) {
        progress(done, count);
      }
    }
  };
  const std::size_t pool = std::max<std::size_t>(1, std::min(threads, count));
  if (pool == 1) {
    worker();
  } else {
    std::vector<std::thread> workers;
    workers.reserve(pool);
    for (std::size_t t = 0; t < pool; ++t) {
      workers.emplace_back(worker);
    }
    for (std::thread& w : workers) {
      w.join();
    }
  }
  for (const std::exception_ptr& error : errors) {
    if (error) {
      std::rethrow_exception(error);
    }
  }
}

namespace {

void addLatency(std::vector<Metric>& out, std::vector<std::string> prefix,
                const LatencySummary& latency) {
  prefix.emplace_back("latency_ms");
  const auto add = [&](const char* name, double value) {
    std::vector<std::string> path = prefix;
    path.emplace_back(name);
    out.push_back({std::move(path), value});
  };
  add("count", static_cast<double>(latency.count));
  add("mean", latency.mean);
  add("p50", latency.p50);
  add("p90", latency.p90);
  add("p99", latency.p99);
  add("p999", latency.p999);
  add("max", latency.max);
}

double d(std::uint64_t value) {
  return static_cast<double>(value);
}

}  // namespace

std::vector<Metric> flattenSummary(const RunSummary& r) {
  std::vector<Metric> out;
  out.push_back({{"requests", "total"}, d(r.requests)});
  out.push_back({{"requests", "succeeded"}, d(r.succeeded)});
  out.push_back({{"requests", "failed"}, d(r.failed)});
  out.push_back({{"requests", "rps"}, r.rps});
  out.push_back({{"requests", "success_rate"}, r.success_rate});
  addLatency(out, {}, r.latency);
  for (const ServiceSummary& s : r.services) {
    const auto add = [&](const char* name, double value) {
      out.push_back({{"services", s.name, name}, value});
    };
    add("requests", d(s.requests));
    add("attempts", d(s.attempts));
    add("completed", d(s.completed));
    add("errors", d(s.errors));
    add("rejected", d(s.rejected));
    add("wasted", d(s.wasted));
    add("wasted_work_s", s.wasted_work_s);
    add("rps", s.rps);
    add("error_rate", s.error_rate);
    add("utilization", s.utilization);
    addLatency(out, {"services", s.name}, s.latency);
  }
  for (const EdgeSummary& e : r.edges) {
    const std::string edge = e.from + " -> " + e.to;
    const auto add = [&](const char* name, double value) {
      out.push_back({{"edges", edge, name}, value});
    };
    add("calls", d(e.calls));
    add("requests", d(e.requests));
    add("attempts", d(e.attempts));
    add("retries", d(e.retries));
    add("amplification", e.amplification);
    add("failed_calls", d(e.failed_calls));
    add("app_timeouts", d(e.app_timeouts));
    addLatency(out, {"edges", edge}, e.latency);
  }
  out.push_back({{"sidecars", "cpu_cores"}, r.sidecar_cpu_cores});
  out.push_back({{"sidecars", "memory_mib"}, r.sidecar_memory_mib});
  out.push_back({{"sidecars", "added_latency_ms"}, r.sidecar_added_latency_ms});
  out.push_back({{"sidecars", "pass_latency_ms"}, r.sidecar_pass_ms});
  out.push_back({{"tls", "handshakes_full"}, d(r.handshakes_full)});
  out.push_back({{"tls", "handshakes_resumed"}, d(r.handshakes_resumed)});
  out.push_back({{"tls", "cpu_seconds"}, r.tls_cpu_seconds});
  out.push_back({{"tls", "connections_opened"}, d(r.connections_opened)});
  out.push_back({{"tls", "connections_refused"}, d(r.connections_refused)});
  out.push_back({{"outlier", "ejections"}, d(r.proxy_totals.outlier_ejections_enforced_total)});
  out.push_back({{"outlier", "ejections_overflow"}, d(r.proxy_totals.outlier_ejections_overflow)});
  r.proxy_totals.forEach([&](std::string_view name, std::uint64_t value, bool gauge) {
    if (!gauge) {
      out.push_back({{"proxy_counters", std::string(name)}, d(value)});
    }
  });
  out.push_back({{"engine", "events"}, d(r.events)});
  return out;
}

namespace {

// Paths inserted into a tree whose children keep their first-insertion order; its leaves, read
// depth first, give the grouped order ReplicatedMetrics promises.
struct PathTree {
  struct Node {
    std::string name;
    std::vector<std::size_t> children;
    std::optional<std::size_t> leaf;  // index into the first-seen list
  };
  std::vector<Node> nodes{Node{}};

  void insert(const std::vector<std::string>& path, std::size_t leaf) {
    std::size_t at = 0;
    for (const std::string& part : path) {
      std::optional<std::size_t> found;
      for (const std::size_t child : nodes[at].children) {
        if (nodes[child].name == part) {
          found = child;
          break;
        }
      }
      if (!found) {
        found = nodes.size();
        nodes.push_back(Node{part, {}, std::nullopt});
        nodes[at].children.push_back(*found);
      }
      at = *found;
    }
    nodes[at].leaf = leaf;
  }
  void leaves(std::size_t at, std::vector<std::size_t>& out) const {
    if (nodes[at].leaf) {
      out.push_back(*nodes[at].leaf);
    }
    for (const std::size_t child : nodes[at].children) {
      leaves(child, out);
    }
  }
};

}  // namespace

ReplicatedMetrics::ReplicatedMetrics(const std::vector<std::vector<Metric>>& replications)
    : replications_(replications.size()) {
  std::vector<AggregatedMetric> seen;
  std::map<std::vector<std::string>, std::size_t> seen_index;
  PathTree tree;
  for (std::size_t r = 0; r < replications.size(); ++r) {
    for (const Metric& metric : replications[r]) {
      auto [it, inserted] = seen_index.emplace(metric.path, seen.size());
      if (inserted) {
        seen.push_back({metric.path, std::vector<double>(replications.size(), 0.0), {}});
        tree.insert(metric.path, it->second);
      }
      seen[it->second].values[r] = metric.value;
    }
  }
  std::vector<std::size_t> order;
  tree.leaves(0, order);
  metrics_.reserve(order.size());
  for (const std::size_t i : order) {
    AggregatedMetric& metric = seen[i];
    metric.ci = studentT95(metric.values);
    index_.emplace(metric.path, metrics_.size());
    metrics_.push_back(std::move(metric));
  }
}

const AggregatedMetric* ReplicatedMetrics::find(const std::vector<std::string>& path) const {
  const auto it = index_.find(path);
  return it == index_.end() ? nullptr : &metrics_[it->second];
}

std::vector<double> ReplicatedMetrics::values(const std::vector<std::string>& path) const {
  const AggregatedMetric* metric = find(path);
  return metric != nullptr ? metric->values : std::vector<double>(replications_, 0.0);
}

std::unique_ptr<Variant> loadVariant(const std::string& path,
                                     const std::vector<std::string>& overrides,
                                     config::Warnings& warnings) {
  auto variant = std::make_unique<Variant>();
  variant->scenario = loadScenario(path, overrides, warnings);
  variant->policies = importScenarioPolicies(variant->scenario, warnings);
  return variant;
}

ReplicationResult runReplications(const Scenario& scenario, const ScenarioPolicies& policies,
                                  const ReplicationOptions& options) {
  ReplicationResult result;
  result.summaries.resize(options.replications);
  runParallel(
      options.replications, options.threads,
      [&](std::size_t r) {
        auto mesh = std::make_unique<Mesh>(scenario, policies, r, options.recording);
        mesh->run();
        result.summaries[r] = summarizeRun(*mesh);
        if (r == 0 && options.keep_first_mesh) {
          result.first_mesh = std::move(mesh);
        }
      },
      options.progress);
  std::vector<std::vector<Metric>> flat;
  flat.reserve(result.summaries.size());
  for (const RunSummary& summary : result.summaries) {
    flat.push_back(flattenSummary(summary));
  }
  result.metrics = ReplicatedMetrics(flat);
  return result;
}

std::vector<ReplicatedMetrics> runVariants(const std::vector<const Variant*>& variants,
                                           std::size_t replications, std::size_t threads,
                                           const JobProgress& progress,
                                           const std::atomic<bool>* cancel) {
  std::vector<std::vector<Metric>> flat(variants.size() * replications);
  runParallel(
      flat.size(), threads,
      [&](std::size_t job) {
        if (cancel != nullptr && cancel->load()) {
          return;
        }
        const Variant& variant = *variants[job / replications];
        Mesh mesh(variant.scenario, variant.policies, job % replications);
        mesh.run();
        flat[job] = flattenSummary(summarizeRun(mesh));
      },
      progress);
  std::vector<ReplicatedMetrics> out;
  if (cancel != nullptr && cancel->load()) {
    return out;
  }
  out.reserve(variants.size());
  for (std::size_t v = 0; v < variants.size(); ++v) {
    out.emplace_back(std::vector<std::vector<Metric>>(
        flat.begin() + static_cast<std::ptrdiff_t>(v * replications),
        flat.begin() + static_cast<std::ptrdiff_t>((v + 1) * replications)));
  }
  return out;
}

}  // namespace meshsim::sim
