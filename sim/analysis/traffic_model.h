#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/retry/retry_policy.h"
#include "sim/analysis/queueing.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// One callee version (at the operation the call reaches) as a retrying caller sees it. As
// Replica::responseStatus decides: with probability `propagated` one of the operation's own
// calls failed and it answers 500 (on_call_failure: fail); otherwise its error model fails it
// with `probability`, answering `status`.
struct CalleeVersionErrors {
  double share = 0;        // fraction of the call's attempts routed to it
  double probability = 0;  // that an attempt fails with `status`, given no propagated failure
  std::uint32_t status = 503;
  double propagated = 0;  // that an attempt answers 500 because a call of its own failed
};

// What one call of an app's plan costs and risks.
struct CallExpectation {
  double attempts = 1;  // expected attempts reaching the callee's apps
  double requests = 1;  // app-level attempts: those the caller's own sidecar handles
  double failure = 0;   // probability the call fails after its last app-level attempt
};

// A call with mesh retries (`mesh`, applied per app request) layered under app-level retries
// (`app_retries`, on any status >= 500 or none, as AppCall does). Attempts fail independently.
// With one version, a policy retrying its status and no app retries the attempts are
// (1 - p^(n+1)) / (1 - p); an app request fails with p^(n+1), which the app layer retries in
// turn, so the two factors multiply, and the call fails with (p^(n+1))^(m+1). Errors the mesh
// does not retry end the request at once; a share sum below 1 is a destination without
// endpoints (503 UH, retried by the app only); a share sum of 0 is no route (404 NR: one attempt,
// never retried, not a failure to the app).
CallExpectation expectCall(const std::vector<CalleeVersionErrors>& versions,
                           const std::optional<core::RetryPolicy>& mesh, std::uint32_t app_retries);

// The arrivals and utilisation of one version's replica pool.
struct PoolLoad {
  Index service = 0;
  Index version = 0;
  std::uint32_t replicas = 1;
  std::uint32_t concurrency = 1;  // workers per replica: M/M/c with c = concurrency per replica
  double arrival_rate = 0;        // req/s at the app, all replicas together
  double mean_service_time = 0;   // seconds, over the version's operations weighted by rate
  // Seconds a request keeps its worker: E[S], plus the time its calls are outstanding when the
  // service holds its worker while waiting (hold_worker_while_waiting).
  double mean_holding_time = 0;
  double utilization = 0;  // ρ = λ·holding time / (concurrency·replicas)
  // λ/replicas arriving at each replica: M/M/c for an open workload; for a closed one, the MVA
  // figures of a replica (P(wait) as an arrival sees it, W and Wq per visit).
  MmcMetrics per_replica;
  double in_pool = 0;  // mean requests at the pool's replicas, queued or in service (λ·W)

  bool saturated() const { return utilization >= 1.0; }
  bool highLoad() const { return utilization >= 0.8; }
};

struct EdgeLoad {
  Index from = 0;  // a service or the load generator (services.size())
  Index to = 0;
  double call_rate = 0;     // calls the caller's plans make per second
  double attempt_rate = 0;  // expected attempts per second reaching the callee, retries included
  double call_failure = 0;  // fraction of the calls that fail after every app-level attempt
};

// A closed workload (N users, think time Z) solved as a closed queueing network by exact MVA
// (solveClosedNetwork; its large-N approximation when `exact` is false): X(N), and R(N) split by
// where the time goes.
struct ClosedLoopAnalysis {
  bool exact = true;
  std::uint32_t users = 0;
  double think_time = 0;        // Z: the think time's mean, seconds
  double throughput = 0;        // X(N), end-to-end requests per second
  double response_time = 0;     // R(N) = N/X - Z, seconds: the three parts below
  double app_time = 0;          // at the replicas' worker pools, queueing included
  double sidecar_cpu_time = 0;  // at the sidecars' worker threads, queueing included
  double latency_time = 0;      // network (both ways) and sidecars' added latency: pure delays
  ClosedNetworkBounds bounds;   // the asymptotic bounds of the same network
};

struct TrafficAnalysis {
  double entry_rate = 0;  // req/s the workload offers (closed loop: X(N))
  bool closed_loop = false;
  ClosedLoopAnalysis closed;                // when closed_loop
  std::vector<double> service_rates;        // req/s arriving at each service's apps
  std::vector<double> service_utilization;  // Σ λ·holding time / Σ workers, over its versions
  // Fraction of each service's app responses that are 5xx: its own errors and, propagated up the
  // call DAG, the failures of its calls (solveTraffic).
  std::vector<double> service_error_rate;
  std::vector<PoolLoad> pools;  // every version of every service, in scenario order
  std::vector<EdgeLoad> edges;  // edges with calls, sorted by (from, to)
  // Assumptions that matter for this scenario (faults ignored, worker held while waiting, ...).
  std::vector<std::string> notes;
};

struct TrafficOptions {
  // Treat every error_rate fault as active for the whole run (it replaces its replicas' own error
  // model, as in the simulation), to see the retry load of an outage.
  bool include_error_faults = false;
};

// Solves the traffic equations λ = λ0 + Pᵀλ of the scenario (Eigen), over nodes = (service,
// version, operation): λ0 from the workload's rate × mix weight × routing share, P[i][j] = Σ over
// the calls of operation i to operation j of probability × expected attempts (retry inflation,
// expectCall) × routing share of j's version. Each call of a parallel group counts once, like a
// sequential one, and every step runs whatever failed before (as AppJob does).
//
// Retry inflation sees failures propagate: first, bottom-up over the call DAG, each node's
// probability of answering 500 because a call failed, F = 1 - Π over its calls (1 - probability
// × failure of the call after its retries) when on_call_failure is `fail` (0 for `continue`);
// a node then fails an attempt with F + (1 - F) × its own error probability. So in A -> B -> C
// with C failing, B fails too once its calls to C exhaust their retries, and A retries B: the
// attempts multiply across layers. Attempts and calls fail independently (no timeouts, no
// load-dependent errors). Each mix entry is solved separately (its headers may steer
// routes) and the rates add up. Then ρ and M/M/c per version pool with E[S] from the service-time
// distributions' mean(), or, for a service that holds its worker while waiting, the holding time:
// E[S] plus the time its calls are outstanding, callee queueing waits and response times
// included, bottom-up over the call DAG (M/M/c waits for an open workload, the MVA's for a
// closed one; PoolLoad::mean_holding_time).
//
// A closed workload is solved for one request per second, which gives the visit ratios, and then
// as a closed network by exact MVA (solveClosedNetwork, which approximates for very large N) with
// N = users and Z = the think time's
// mean: each replica of a version is a station of `concurrency` servers with demand visits ×
// E[S] / replicas (the open model's even split over replicas); each replica of a meshed version
// has a sidecar, a station of `workers` servers with demand cpu_per_request × (inbound attempts +
// outbound app-level requests) / replicas; network latency (link latency, jitter and
// serialisation means, request and response, averaged over uniform pairs of caller and callee
// replica zones) and the sidecars' added latency (two passes per request on each side) are pure
// delays. Rates are then X(N) × visits. A parallel group's calls add their demands as if they ran
// one after another, which makes R(N) pessimistic there.
TrafficAnalysis solveTraffic(const Scenario& scenario, const ScenarioPolicies& policies,
                             const TrafficOptions& options = {});

// The open workload's mean rate over the measured window [warmup, warmup + duration] (bursty:
// the on/off time-weighted mean; schedule: the time average of its steps). 0 for closed loops.
double meanOfferedRate(const Scenario& scenario);

}  // namespace meshsim::sim
