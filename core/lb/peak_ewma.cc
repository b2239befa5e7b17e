#include "core/lb/peak_ewma.h"

#include <cmath>

namespace meshsim::core {

PeakEwma::PeakEwma(MonotonicTime now, Duration default_rtt, Duration decay)
    : rtt_ns_(static_cast<double>(default_rtt.count())),
      decay_ns_(static_cast<double>(decay.count())),
      updated_at_(now) {}

double PeakEwma::load(MonotonicTime now) {
  update(0.0, now);
  return rtt_ns_ * static_cast<double>(pending_ + 1);
}

void PeakEwma::onRequestEnd(Duration rtt, MonotonicTime now) {
  if (pending_ > 0) {
    --pending_;
  }
  update(static_cast<double>(rtt.count()), now);
}

void PeakEwma::update(double sample_ns, MonotonicTime now) {
  if (rtt_ns_ < sample_ns) {
    rtt_ns_ = sample_ns;
  } else {
    // Time never runs backwards here; tower saturates a negative elapsed time to 0 as well.
    const double elapsed =
        now > updated_at_ ? static_cast<double>((now - updated_at_).count()) : 0.0;
    const double w = std::exp(-elapsed / decay_ns_);
    rtt_ns_ = rtt_ns_ * w + sample_ns * (1.0 - w);
  }
  updated_at_ = now;
}

}  // namespace meshsim::core
