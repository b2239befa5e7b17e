#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/common/time.h"
#include "core/stats/response_flags.h"
#include "sim/engine/simulator.h"
#include "sim/scenario/scenario.h"
#include "sim/stats/latency_histogram.h"
#include "sim/stats/time_series.h"

namespace meshsim::sim {

// Calls from one source (a service, or the load generator) to one destination service, as the
// caller's app sees them. Three counts make layered amplification visible (DESIGN.md step 7):
// `calls` the app's plan asked for, `requests` the app sent (its own retries included) and
// `attempts` its sidecar sent upstream (mesh retries included). All three are counted when the
// call / request ends (of those started in the measured window), so that a call still in flight
// at the end of the run is in none of them and attempts >= requests >= calls holds (except for
// requests the sidecar answered itself without any upstream attempt: UO, UH, NR).
struct EdgeMetrics {
  std::uint64_t calls = 0;
  std::uint64_t requests = 0;
  std::uint64_t attempts = 0;
  std::uint64_t retries = 0;       // mesh retries: attempts beyond each request's first
  std::uint64_t failed_calls = 0;  // calls that failed after every app-level attempt
  std::uint64_t app_timeouts = 0;  // app-level per-attempt timeouts
  std::array<std::uint64_t, 6> status_classes{};  // index status/100 (0: no response)
  std::array<std::uint64_t, 14> flags{};          // per ResponseFlag bit, [13] = none
  LatencyHistogram latency;                       // per request, app send to app receive

  double amplification() const {
    return calls == 0 ? 0.0 : static_cast<double>(attempts) / static_cast<double>(calls);
  }
};

// What the replicas of one service did.
struct ServiceMetrics {
  std::uint64_t received = 0;   // requests that reached the app
  std::uint64_t completed = 0;  // responses the app produced
  std::uint64_t errors = 0;     // of which 5xx
  std::uint64_t rejected = 0;   // turned away with a full queue
  std::uint64_t wasted = 0;     // completed after the caller had given up
  Duration wasted_work{0};      // worker time spent on those
  Duration worker_busy{0};      // worker time in the measured window
  LatencyHistogram latency;     // arrival at the app to response
};

// Istio's default buckets of istio_request_duration_milliseconds (upper bounds in ms).
inline constexpr std::array<double, 19> kIstioDurationBucketsMs = {
    0.5,  1,    5,     10,    25,    50,     100,    250,     500,    1000,
    2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000};

// Istio standard metrics (reporter="source") of one source workload -> destination workload
// pair: istio_requests_total per (response_code, response_flags) and the exact bucket counts of
// istio_request_duration_milliseconds. A pair sees few distinct codes, so a short vector beats a
// map.
struct IstioEdgeMetrics {
  struct CodeCount {
    std::uint32_t status;  // 0: no response (the app gave up)
    core::ResponseFlags flags;
    std::uint64_t count;
  };
  std::vector<CodeCount> requests;
  std::array<std::uint64_t, kIstioDurationBucketsMs.size() + 1> buckets{};  // last: +Inf
  std::uint64_t count = 0;
  std::int64_t sum_ns = 0;

  void record(std::uint32_t status, core::ResponseFlags flags, Duration latency);
};

// Indices of the per-interval counters in MeshMetrics::series.
enum SeriesCounter : std::size_t {
  kSeriesArrivals,
  kSeriesCompleted,
  kSeriesErrors,
  kSeriesRejected
};

// Gauges sampled at the end of each time-series interval.
struct SeriesGauges {
  std::uint32_t in_flight = 0;  // requests inside the app (queued or being served)
  std::uint32_t queued = 0;     // of which waiting for a worker
};

struct MeshMetrics {
  // The load generator's view: end-to-end requests.
  std::uint64_t requests = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  LatencyHistogram latency;
  std::vector<ServiceMetrics> services;
  // edges[from * (services + 1) + to]; from == services is the load generator.
  std::vector<EdgeMetrics> edges;
  std::size_t service_count = 0;
  // TLS and connections.
  std::uint64_t handshakes_full = 0;
  std::uint64_t handshakes_resumed = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_refused = 0;  // by PeerAuthentication or a dead replica
  Duration tls_cpu{0};

  // Per-interval series: series[s] for service s (arrivals at its app), series[services] for the
  // end-to-end requests; gauges has services + 1 entries per closed interval, in the same order.
  std::vector<TimeSeries> series;
  std::vector<SeriesGauges> gauges;

  // Istio metrics per (source deployment, destination deployment); see deployment().
  std::vector<std::unique_ptr<IstioEdgeMetrics>> istio;
  std::vector<Index> deployment_offset;  // per service; its versions then an "unknown" slot
  std::size_t deployments = 0;           // including the load generator's slot (the last)

  // Sets up the series (window starting at `origin`) and the Istio deployment slots.
  void configure(const Scenario& scenario, Duration window, SimTime origin);
  // Deployment slot of (service, version); version == versions.size() is "unknown", service ==
  // services is the load generator.
  Index deployment(Index service, Index version) const {
    return service == service_count ? static_cast<Index>(deployments - 1)
                                    : deployment_offset[service] + version;
  }
  IstioEdgeMetrics& istioEdge(Index source, Index destination);

  void resize(std::size_t services_in_mesh) {
    service_count = services_in_mesh;
    services.assign(services_in_mesh, ServiceMetrics{});
    edges.assign((services_in_mesh + 1) * services_in_mesh, EdgeMetrics{});
  }
  EdgeMetrics& edge(Index from, Index to) { return edges[from * service_count + to]; }
  const EdgeMetrics& edge(Index from, Index to) const { return edges[from * service_count + to]; }
  Index loadGenerator() const { return static_cast<Index>(service_count); }
};

// Records a response flag set into per-bit counters.
void countFlags(std::array<std::uint64_t, 14>& counters, core::ResponseFlags flags);

}  // namespace meshsim::sim
