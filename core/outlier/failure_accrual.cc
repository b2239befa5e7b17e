#include "core/outlier/failure_accrual.h"

#include <algorithm>
#include <cmath>

namespace meshsim::core {

std::vector<FailureAccrualConfig::Diagnostic> FailureAccrualConfig::validate() const {
  std::vector<Diagnostic> out;
  if (max_failures == 0) {
    out.push_back({"max_failures", "must be at least 1"});
  }
  if (min_penalty <= Duration::zero()) {
    out.push_back({"min_penalty", "must be greater than 0"});
  }
  if (max_penalty < min_penalty) {
    out.push_back({"max_penalty", "cannot be smaller than min_penalty"});
  }
  // Linkerd's ExponentialBackoff rejects a jitter that is not finite or is negative.
  if (!std::isfinite(jitter_ratio) || jitter_ratio < 0.0) {
    out.push_back({"jitter_ratio", "must be a finite, non-negative number"});
  }
  return out;
}

Duration linkerdBackoffDelay(Duration min, Duration max, double jitter_ratio,
                             std::uint32_t iteration, RandomGenerator& random) {
  // 2^n overflows quickly; once min·2^n would pass max the base is max (Linkerd saturates too).
  Duration base = min;
  for (std::uint32_t i = 0; i < iteration && base < max; ++i) {
    base = base > max / 2 ? max : base * 2;
  }
  base = std::min(base, max);
  if (jitter_ratio <= 0.0) {
    return base;
  }
  const double u = static_cast<double>(random.random() >> 11) * 0x1.0p-53;
  const Duration jitter = fromSeconds(u * jitter_ratio * toSeconds(base));
  return base + std::min(jitter, max - base);
}

FailureAccrual::FailureAccrual(const FailureAccrualConfig& config, RandomGenerator& random,
                               std::size_t host_count)
    : config_(config), random_(random), hosts_(host_count) {}

void FailureAccrual::setHostCount(std::size_t host_count) {
  hosts_.resize(host_count);
}

void FailureAccrual::resetHost(const Host& host) {
  hosts_[host.index()] = HostState{};
}

FailureAccrual::State FailureAccrual::state(const Host& host, MonotonicTime now) const {
  const HostState& h = hosts_[host.index()];
  if (h.state == State::Shut && now >= h.shut_until) {
    return State::Probation;
  }
  return h.state;
}

bool FailureAccrual::isAvailable(const Host& host, MonotonicTime now) const {
  switch (state(host, now)) {
    case State::Available:
      return true;
    case State::Shut:
      return false;
    case State::Probation:
      return !hosts_[host.index()].probe_dispatched;
  }
  return false;
}

void FailureAccrual::onRequestDispatched(const Host& host, MonotonicTime now) {
  HostState& h = hosts_[host.index()];
  if (state(host, now) == State::Probation) {
    h.state = State::Probation;
    h.probe_dispatched = true;
  }
}

void FailureAccrual::shut(HostState& h, MonotonicTime now) {
  h.state = State::Shut;
  h.probe_dispatched = false;
  h.shut_until = now + linkerdBackoffDelay(config_.min_penalty, config_.max_penalty,
                                           config_.jitter_ratio, h.backoff_iteration, random_);
}

void FailureAccrual::onResponse(const Host& host, bool success, MonotonicTime now) {
  HostState& h = hosts_[host.index()];
  switch (state(host, now)) {
    case State::Available:
      if (success) {
        h.failures = 0;
      } else if (++h.failures == config_.max_failures) {
        // A new trip starts a new back-off stream (Linkerd creates it on entering the shut state).
        h.backoff_iteration = 0;
        shut(h, now);
      }
      return;
    case State::Shut:
      return;
    case State::Probation:
      if (success) {
        h = HostState{};
      } else {
        ++h.backoff_iteration;
        shut(h, now);
      }
      return;
  }
}

}  // namespace meshsim::core
