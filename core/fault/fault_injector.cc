#include "core/fault/fault_injector.h"

#include <chrono>

namespace meshsim::core {

bool FaultInjector::tryIncActiveFaults(const HttpFault& fault, FaultStreamState& state) {
  // One stream is charged at most one active fault, so a delay followed by an abort is one fault.
  if (state.fault_active) {
    return true;
  }
  if (fault.max_active_faults.has_value() && stats_.active_faults >= *fault.max_active_faults) {
    ++stats_.faults_overflow;
    return false;
  }
  ++stats_.active_faults;
  state.fault_active = true;
  return true;
}

std::optional<FaultDecision> FaultInjector::abortDecision(const HttpFault& fault,
                                                          RandomGenerator& rng) {
  if (!fault.abort.has_value() || !fault.abort->percentage.evaluate(rng.random())) {
    return std::nullopt;
  }
  FaultDecision decision;
  decision.action = FaultAction::kAbort;
  if (fault.abort->http_status.has_value()) {
    decision.http_status = *fault.abort->http_status;
  } else if (fault.abort->grpc_status.has_value()) {
    decision.http_status = 200;
    decision.grpc_status = fault.abort->grpc_status;
  } else {
    return std::nullopt;
  }
  decision.flags = static_cast<ResponseFlags>(ResponseFlag::kFaultInjected);
  return decision;
}

FaultDecision FaultInjector::onRequestHeaders(const HttpFault& fault, RandomGenerator& rng,
                                              FaultStreamState& state) {
  if (fault.delay.has_value() && fault.delay->percentage.evaluate(rng.random())) {
    // Envoy reads the delay in whole milliseconds and injects none below 1 ms.
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(fault.delay->fixed_delay);
    if (ms.count() > 0 && tryIncActiveFaults(fault, state)) {
      ++stats_.delays_injected;
      FaultDecision decision;
      decision.action = FaultAction::kDelay;
      decision.delay = ms;
      decision.flags = static_cast<ResponseFlags>(ResponseFlag::kDelayInjected);
      return decision;
    }
  }
  if (auto abort = abortDecision(fault, rng);
      abort.has_value() && tryIncActiveFaults(fault, state)) {
    ++stats_.aborts_injected;
    return *abort;
  }
  return {};
}

FaultDecision FaultInjector::onDelayElapsed(const HttpFault& fault, RandomGenerator& rng,
                                            FaultStreamState& state) {
  if (auto abort = abortDecision(fault, rng); abort.has_value()) {
    ++stats_.aborts_injected;
    return *abort;
  }
  // Envoy stops counting the stream as an active fault once its delay is over (no response rate
  // limit is modelled).
  onStreamDestroyed(state);
  return {};
}

void FaultInjector::onStreamDestroyed(FaultStreamState& state) {
  if (state.fault_active) {
    --stats_.active_faults;
    state.fault_active = false;
  }
}

}  // namespace meshsim::core
