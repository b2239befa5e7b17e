#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/stats/cluster_stats.h"
#include "sim/mesh/mesh.h"
#include "sim/stats/latency_histogram.h"

namespace meshsim::sim {

// Latency figures in milliseconds (0 when there is no sample).
struct LatencySummary {
  std::uint64_t count = 0;
  double mean = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double p999 = 0;
  double max = 0;
};
LatencySummary summarizeLatency(const LatencyHistogram& histogram);

struct ServiceSummary {
  std::string name;
  bool sidecar = true;          // false: outside the mesh (no proxy, no mTLS, no policy)
  std::uint64_t requests = 0;   // arrived at the app
  std::uint64_t attempts = 0;   // upstream attempts callers' sidecars sent to it
  std::uint64_t completed = 0;  // responses the app produced
  std::uint64_t errors = 0;     // of which 5xx
  std::uint64_t rejected = 0;   // turned away with a full queue
  std::uint64_t wasted = 0;     // completed after the caller had given up
  double wasted_work_s = 0;
  std::uint64_t workers = 0;  // replicas x concurrency, over every version
  double rps = 0;
  double error_rate = 0;   // errors / completed
  double utilization = 0;  // worker busy time / (duration x workers)
  LatencySummary latency;
};

struct EdgeSummary {
  std::string from;  // "client" for the load generator
  std::string to;
  std::uint64_t calls = 0;
  std::uint64_t requests = 0;
  std::uint64_t attempts = 0;
  std::uint64_t retries = 0;
  std::uint64_t failed_calls = 0;
  std::uint64_t app_timeouts = 0;
  double amplification = 0;
  std::array<std::uint64_t, 6> status_classes{};             // none, 1xx .. 5xx
  std::vector<std::pair<std::string, std::uint64_t>> flags;  // nonzero only, "-" = no flag
  LatencySummary latency;
};

// Every figure `meshsim run` reports, computed once so that the terminal table and the run
// directory's files agree to the last digit.
struct RunSummary {
  std::string scenario;
  std::uint64_t seed = 0;
  double duration_s = 0;
  double warmup_s = 0;
  // `warmup: auto` resolved by a pilot run: warmup_s is MSER-5's answer.
  bool warmup_detected = false;
  bool warmup_at_search_limit = false;  // the transient may outlast the search (run too short)
  std::string version;

  std::uint64_t requests = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  double rps = 0;
  double success_rate = 0;
  LatencySummary latency;

  std::vector<ServiceSummary> services;
  std::vector<EdgeSummary> edges;  // edges with at least one call, source-major order

  std::size_t sidecars = 0;
  double sidecar_cpu_cores = 0;         // busy worker time / (warm-up + duration)
  double sidecar_memory_mib = 0;        // base + peak connections x per-connection, summed
  double sidecar_pass_ms = 0;           // mean time of one proxying pass (queue + CPU + extra)
  double sidecar_added_latency_ms = 0;  // per meshed hop: four passes

  std::uint64_t handshakes_full = 0;
  std::uint64_t handshakes_resumed = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_refused = 0;
  double tls_cpu_seconds = 0;

  // Outbound cluster counters summed over every pod (the load generator's included).
  core::ClusterStats proxy_totals;

  std::uint64_t events = 0;
  double sim_seconds = 0;
  // Wall-clock figures: not reproducible, kept out of summary.json.
  double wall_seconds = 0;
  double events_per_second = 0;
  double requests_per_second = 0;  // measured end-to-end requests per wall second
};

RunSummary summarizeRun(const Mesh& mesh);
// "12.0 s warm-up (MSER-5)" for a detected warm-up, "10 s warm-up" for a fixed one (the terminal
// tables).
std::string warmupText(const RunSummary& summary);

}  // namespace meshsim::sim
