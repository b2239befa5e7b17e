#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "core/upstream/transport.h"
#include "sim/engine/simulator.h"
#include "sim/mesh/app_call.h"
#include "sim/mesh/workload.h"
#include "sim/random/random_stream.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

class Mesh;
class Replica;
class AppJob;

// The loopback exchange between a pod's inbound sidecar and its app: one request, one response.
// The sidecar may reset it (its caller gave up); the app's work then goes on, unwanted.
class AppConnection;

class AppStream final : public core::UpstreamStream {
 public:
  AppStream(AppConnection& connection, core::StreamCallbacks& callbacks)
      : connection_(connection), callbacks_(&callbacks) {}
  void reset() override;
  void respond(const core::Response& response);
  // Answers on a later loop turn (the stream was just opened: no callback inside newStream()).
  void respondLater(Simulator& sim, std::uint32_t status);
  void terminate();  // the app died under the request
  void attach(AppJob* job) { job_ = job; }
  bool live() const { return callbacks_ != nullptr; }
  bool collectable() const { return callbacks_ == nullptr && !deferred_ && !notifying_; }

 private:
  void onDeferredReply();

  AppConnection& connection_;
  core::StreamCallbacks* callbacks_;
  AppJob* job_ = nullptr;
  bool deferred_ = false;
  // Inside respond()/reset(): the pool, told the stream is over, may at once open the next stream
  // on this connection (which collects finished streams) or release the connection; this one must
  // outlive the call that is still running on it.
  bool notifying_ = false;
  std::uint32_t deferred_status_ = 0;
};

// A loopback connection from the inbound sidecar to the app (no network, no TLS).
class AppConnection final : public core::UpstreamConnection {
 public:
  AppConnection(Replica& replica, core::ConnectionCallbacks& callbacks)
      : replica_(replica), callbacks_(callbacks) {}
  core::UpstreamStream& newStream(const core::Request& request,
                                  core::StreamCallbacks& callbacks) override;
  void close() override { closed_ = true; }
  void onConnectEvent();
  void release();
  void terminate();  // the app died
  void terminateAfterReset();

  core::ConnectionCallbacks& callbacks() { return callbacks_; }
  bool closed() const { return closed_; }
  void streamDone(AppStream& stream);

 private:
  void streamDoneCheck();

  Replica& replica_;
  core::ConnectionCallbacks& callbacks_;
  std::vector<std::unique_ptr<AppStream>> streams_;
  bool closed_ = false;
  bool released_ = false;
  bool connect_pending_ = true;
};

// One request inside an app replica: wait for a worker, compute, run the call plan (sequential
// steps, parallel groups, per-call probability), answer (DESIGN.md step 5).
class AppJob final : public CallOwner {
 public:
  AppJob(Replica& replica, AppStream* stream, const core::Request& request, Index operation);
  void onCallDone(AppCall& call, bool ok) override;
  void detachStream() { stream_ = nullptr; }

 private:
  friend class Replica;
  void runStep();
  void onComputeDone();

  Replica& replica_;
  AppStream* stream_;
  core::Request request_;
  Index operation_;
  SimTime arrived_{};
  SimTime worker_since_{};
  Duration compute_{0};
  std::size_t step_ = 0;
  std::uint32_t outstanding_ = 0;
  bool holds_worker_ = false;
  bool computing_ = false;
  bool any_call_failed_ = false;
  bool measured_ = false;
  std::uint64_t epoch_ = 0;  // the replica's life this job belongs to
  std::vector<AppCall*> calls_;
  // Sampled requests only: the server span's trace, id and parent (the caller's client span).
  std::uint64_t trace_id_ = 0;
  std::uint64_t span_id_ = 0;
  std::uint64_t parent_span_id_ = 0;
};

// An app replica: a bounded FIFO queue in front of a pool of workers, a service-time
// distribution, an error model, and the call plans of its operations.
class Replica {
 public:
  Replica(Mesh& mesh, Workload& workload, const ServiceSpec& service, const VersionSpec& version);
  ~Replica();

  void accept(AppStream& stream, const core::Request& request);
  // Teardown: forget every job (their calls are already gone).
  void dropJobs();
  core::UpstreamConnectionPtr connect(core::ConnectionCallbacks& callbacks);

  // Faults.
  void crash();
  void restart();
  void setSlowFactor(double factor) { slow_factor_ = factor; }
  void setErrorOverride(std::optional<ErrorModel> errors) { error_override_ = std::move(errors); }
  void setAddedLatency(SharedDistribution add) { added_latency_ = std::move(add); }

  Mesh& mesh() { return mesh_; }
  Workload& workload() { return workload_; }
  const ServiceSpec& service() const { return service_; }
  const VersionSpec& version() const { return version_; }
  std::uint32_t busyWorkers() const { return busy_; }
  // Requests inside the app (queued or served) and those waiting for a worker.
  std::uint32_t inFlight() const { return static_cast<std::uint32_t>(jobs_.size()); }
  std::uint32_t queued() const { return static_cast<std::uint32_t>(waiting_.size()); }

 private:
  friend class AppJob;
  friend class AppConnection;
  void startWork(AppJob* job);
  void onComputeDone(AppJob* job);
  void releaseWorker(AppJob& job);
  void complete(AppJob* job);
  void finishJob(AppJob* job);
  std::uint32_t responseStatus(const AppJob& job);
  void respondNow(AppStream& stream, std::uint32_t status);

  Mesh& mesh_;
  Workload& workload_;
  const ServiceSpec& service_;
  const VersionSpec& version_;
  RandomStream service_random_;
  RandomStream error_random_;
  RandomStream call_random_;
  std::uint32_t busy_ = 0;
  std::deque<AppJob*> waiting_;
  std::vector<AppJob*> jobs_;  // every live job, for crashes
  std::vector<AppConnection*> connections_;
  std::uint64_t epoch_ = 1;
  double slow_factor_ = 1.0;
  std::optional<ErrorModel> error_override_;
  SharedDistribution added_latency_;
};

}  // namespace meshsim::sim
