#pragma once

#include <cstdint>

#include "core/proxy/router_filter.h"
#include "sim/engine/simulator.h"
#include "sim/mesh/live_set.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

class AppCall;
class Sidecar;
class Mesh;

// Whoever issued an AppCall: an app request running its call plan, or the load generator.
class CallOwner {
 public:
  virtual ~CallOwner() = default;
  // The call is over: `ok` if the last attempt got a non-5xx response in time.
  virtual void onCallDone(AppCall& call, bool ok) = 0;
};

// One call an application makes to another service, with the app's own per-attempt timeout and
// retries (DESIGN.md step 7: app-level retries layer on top of the mesh's). Each attempt goes
// app -> outbound sidecar (CPU pass) -> proxy core -> ... -> outbound sidecar (CPU pass) -> app.
// A call owns itself: create it with `new`, start() it, and it deletes itself once it is over and
// no event refers to it any more; its owner hears onCallDone() exactly once (unless abandoned).
class AppCall final : public core::DownstreamCallbacks, public LiveSet<AppCall>::Node {
 public:
  struct Target {
    Index from = 0;  // calling service (or the load generator's index)
    Index service = 0;
    core::Request request;
    std::optional<Duration> timeout;
    std::uint32_t retries = 0;
  };

  AppCall(Mesh& mesh, Sidecar& sidecar, CallOwner& owner, Target target);
  ~AppCall() override;
  void start();
  // The owner no longer cares (its pod died): everything in flight is dropped, no callback.
  void abandon();

  const Target& target() const { return target_; }
  std::uint32_t attemptsMade() const { return attempts_; }
  SimTime startedAt() const { return started_; }
  core::ResponseFlags lastFlags() const { return last_flags_; }
  std::uint32_t lastStatus() const { return last_status_; }
  bool measured() const { return measured_; }
  // Set by the owner, for its own bookkeeping.
  std::uint64_t tag = 0;

  // core::DownstreamCallbacks
  void onRequestComplete(const core::RequestOutcome& outcome) override;

 private:
  void attempt();
  void onRequestPassDone(std::uint64_t epoch);
  void onResponsePassDone(std::uint64_t epoch);
  void onTimeout();
  void finishAttempt(bool ok);
  void maybeDelete();
  // Measurement only: Istio metrics and, for sampled requests, the attempt's client span.
  void recordAttempt(std::uint32_t status, core::ResponseFlags flags, const core::Host* host);

  Mesh& mesh_;
  Sidecar& sidecar_;
  CallOwner& owner_;
  Target target_;
  std::uint32_t attempts_ = 0;
  std::uint64_t epoch_ = 0;    // bumps per attempt; events of older attempts are ignored
  std::uint32_t pending_ = 0;  // sidecar passes in flight that will call back
  core::RouterFilter* filter_ = nullptr;
  EventId timeout_;
  SimTime started_{};
  SimTime attempt_started_{};
  core::RequestOutcome outcome_;
  core::ResponseFlags last_flags_ = 0;
  std::uint32_t last_status_ = 0;
  bool measured_ = false;
  bool done_ = false;
  // Sampled requests only (B3 context from the request headers).
  std::uint64_t trace_id_ = 0;
  std::uint64_t parent_span_id_ = 0;
  std::uint64_t span_id_ = 0;
};

}  // namespace meshsim::sim
