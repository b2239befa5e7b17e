#include "core/lb/p2c_peak_ewma_balancer.h"

#include <algorithm>

namespace meshsim::core {

P2cPeakEwmaBalancer::P2cPeakEwmaBalancer(const HostVector& hosts, MonotonicTime now,
                                         Duration default_rtt, Duration decay)
    : hosts_(hosts), default_rtt_(default_rtt), decay_(decay) {
  refresh(now);
}

void P2cPeakEwmaBalancer::refresh(MonotonicTime now) {
  std::size_t needed = 0;
  for (const Host* host : hosts_) {
    needed = std::max<std::size_t>(needed, host->index() + 1);
  }
  while (ewma_.size() < needed) {
    ewma_.emplace_back(now, default_rtt_, decay_);
  }
  ready_.clear();
  for (Host* host : hosts_) {
    if (host->healthy()) {
      ready_.push_back(host);
    }
  }
}

Host* P2cPeakEwmaBalancer::chooseHostAmong(std::span<Host* const> candidates, MonotonicTime now,
                                           RandomGenerator& random) {
  const std::size_t n = candidates.size();
  if (n == 0) {
    return nullptr;
  }
  if (n == 1) {
    return candidates[0];
  }
  const std::size_t a = random.random() % n;
  std::size_t b = random.random() % (n - 1);
  if (b >= a) {
    ++b;
  }
  Host* host_a = candidates[a];
  Host* host_b = candidates[b];
  const double load_a = ewma_[host_a->index()].load(now);
  const double load_b = ewma_[host_b->index()].load(now);
  return load_a <= load_b ? host_a : host_b;
}

}  // namespace meshsim::core
