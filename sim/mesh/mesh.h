#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/authz/peer_authentication.h"
#include "core/tls/handshake_cost_model.h"
#include "sim/engine/simulator.h"
#include "sim/mesh/live_set.h"
#include "sim/mesh/mesh_metrics.h"
#include "sim/mesh/network.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/mesh/trace_recorder.h"
#include "sim/mesh/workload.h"
#include "sim/random/random_stream.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

class AppCall;
class FaultTimeline;
class MeshConnection;
class LoadGenerator;

// How the TLS layer of one connection is set up (PeerAuthentication and client TLS, §7.1-7.2).
struct ConnectionSecurity {
  bool tls = false;       // the client starts a TLS handshake (mTLS, or SIMPLE TLS)
  bool accepted = true;   // the server accepts what the client offers
  bool identity = false;  // the server learns the client's SPIFFE identity (mTLS accepted)
};

// What a run records besides its counters (the run directory's time series and traces).
struct RecordingOptions {
  Duration series_interval = std::chrono::seconds(1);
  double trace_sampling = 0.01;  // fraction of end-to-end requests traced
  std::size_t max_traces = 1000;
};

// Called from Mesh::run with the fraction of simulated time done, about every 1 %.
using ProgressCallback = std::function<void(double fraction)>;

// The whole simulated mesh of one replication: every pod (app + sidecar), the network, the load
// generator and the fault timeline, all driven by one Simulator. Built from a loaded Scenario;
// run() simulates warm-up + duration and leaves the measurements in metrics().
class Mesh {
 public:
  // `policies` must outlive the mesh (importScenarioPolicies).
  Mesh(const Scenario& scenario, const ScenarioPolicies& policies, std::uint64_t replication = 0,
       RecordingOptions recording = {});
  ~Mesh();
  Mesh(const Mesh&) = delete;
  Mesh& operator=(const Mesh&) = delete;

  // `progress`, if set, is called about every 1 % of simulated time; it must not touch the mesh,
  // and results are the same with or without it.
  void run(const ProgressCallback& progress = {});
  // run() in steps, for a caller that watches the mesh between them (the GUI): start() once, then
  // runUntil() any number of times with increasing times (clipped to end()), then finish() once.
  // Any sequence of steps gives the same results as run().
  void start();
  void runUntil(SimTime until);
  void finish();
  bool done() const { return sim_.now() >= end_; }

  Simulator& sim() { return sim_; }
  const Simulator& sim() const { return sim_; }
  const Scenario& scenario() const { return scenario_; }
  Network& network() { return network_; }
  MeshMetrics& metrics() { return metrics_; }
  const MeshMetrics& metrics() const { return metrics_; }
  const core::HandshakeCostModel& tlsCosts() const { return tls_costs_; }
  std::vector<std::unique_ptr<Workload>>& workloads() { return workloads_; }
  const std::vector<std::unique_ptr<Workload>>& workloads() const { return workloads_; }
  TraceRecorder& traces() { return traces_; }
  const TraceRecorder& traces() const { return traces_; }
  const RecordingOptions& recording() const { return recording_; }
  // The time to stamp time-series samples with: an event at exactly end() belongs to the last
  // interval, not to an empty one after it.
  SimTime seriesTime() const { return std::min(sim_.now(), end_ - Duration(1)); }
  Workload* workloadByAddress(const std::string& address);
  // A random stream for `entity`/`purpose` of this replication, keyed by names (common random
  // numbers across scenario variants).
  RandomStream stream(std::string_view entity, std::string_view purpose) const;
  ConnectionSecurity security(const Workload& client, const Workload& server) const;
  core::HandshakeParams handshakeParams(bool resumed) const;
  // True once warm-up is over: only then are measurements recorded.
  bool measuring() const { return sim_.now() >= measure_from_; }
  SimTime measureFrom() const { return measure_from_; }
  SimTime end() const { return end_; }
  double wallSeconds() const { return wall_seconds_; }
  LiveSet<AppCall>& liveCalls() { return live_calls_; }
  LiveSet<MeshConnection>& liveConnections() { return live_connections_; }
  bool tearingDown() const { return tearing_down_; }
  // A fault that swaps Istio policy (a canary step or a VirtualService with fault injection).
  void applyPolicyFault(std::size_t fault_index, bool start);

 private:
  void buildWorkloads();
  void configureProxies();
  void sampleGauges(SimTime at);

  const Scenario& scenario_;
  const ScenarioPolicies& policies_;
  const std::uint64_t replication_;
  const RecordingOptions recording_;
  Simulator sim_;
  Network network_;
  MeshMetrics metrics_;
  core::HandshakeCostModel tls_costs_;
  TraceRecorder traces_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  std::unordered_map<std::string, Workload*> by_address_;
  std::unique_ptr<LoadGenerator> load_;
  std::unique_ptr<FaultTimeline> faults_;
  LiveSet<AppCall> live_calls_;
  LiveSet<MeshConnection> live_connections_;
  bool tearing_down_ = false;
  SimTime measure_from_{};
  SimTime end_{};
  double wall_seconds_ = 0;
  std::chrono::steady_clock::time_point wall_start_;
  SimTime next_sample_ = SimTime::max();  // the next interval boundary (gauge sample)
};

}  // namespace meshsim::sim
