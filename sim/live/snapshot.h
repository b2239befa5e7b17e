#pragma once

#include <cstdint>
#include <vector>

#include "core/common/time.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// What one interval of simulated time looked like: the GUI draws a frame and a chart point from
// each. A plain value (no pointers into the mesh), so it can cross threads and be kept for replay.
// Rates are per second of the interval; latencies in milliseconds, 0 without a sample.

struct ServiceSnapshot {
  double rps = 0;         // requests that reached the app
  double error_rate = 0;  // 5xx / completed
  double p50_ms = 0;      // arrival at the app to response
  double p99_ms = 0;
  std::uint64_t rejected = 0;          // turned away with a full queue
  std::uint64_t retries = 0;           // mesh retries callers' sidecars sent to it
  std::uint64_t app_retries = 0;       // retries callers' apps sent to it (their own retry loops)
  std::vector<std::uint32_t> ejected;  // per version: replicas some client sidecar has ejected
  std::vector<std::uint32_t> down;     // per version: crashed replicas
  double sidecar_cpu_cores = 0;        // the service's sidecars' busy CPU / interval
  bool faulted = false;                // a scenario fault targets it during the interval
};

struct EdgeSnapshot {
  Index from = 0;  // a service, or Scenario::services.size() for the load generator
  Index to = 0;
  double rps = 0;  // requests the caller's app sent
  double p99_ms = 0;
  double error_rate = 0;          // requests answered 5xx or not at all / requests
  std::uint64_t retries = 0;      // mesh retries (the caller's sidecar)
  std::uint64_t app_retries = 0;  // app-level retries: requests beyond the calls (the caller's app)
  double amplification = 0;       // attempts / calls (0 without calls)
  std::uint64_t overflow = 0;     // UO: turned away by a circuit breaker
  std::uint64_t injected = 0;     // FI or DI: Istio fault injection hit
};

struct Snapshot {
  std::uint64_t index = 0;  // 0, 1, ... in the run
  core::Duration start{0};  // since the start of the run (warm-up included)
  core::Duration width{0};
  // An interval of the warm-up: the mesh measures no requests then, so only the sidecars' CPU,
  // ejections and crashed replicas are filled in (request figures are 0).
  bool warmup = false;
  // End-to-end requests (the load generator's view).
  double rps = 0;
  double error_rate = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double amplification = 0;         // attempts / calls over every edge (1 = nothing retried)
  std::uint64_t retries = 0;        // mesh retries, every edge
  std::uint64_t app_retries = 0;    // app-level retries, every edge
  std::uint64_t ejections = 0;      // ejections enforced in the interval, every sidecar
  std::uint32_t ejected_hosts = 0;  // replicas ejected by some sidecar at the interval's end
  double sidecar_cpu_cores = 0;
  std::vector<ServiceSnapshot> services;
  std::vector<EdgeSnapshot> edges;  // the topology's edges, in its order

  double endSeconds() const { return core::toSeconds(start + width); }
};

}  // namespace meshsim::sim
