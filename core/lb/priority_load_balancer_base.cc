#include "core/lb/priority_load_balancer_base.h"

#include <algorithm>
#include <numeric>

namespace meshsim::core {

PriorityLoadBalancerBase::PriorityLoadBalancerBase(const HostsPerPriority& hosts,
                                                   ClusterStats& stats,
                                                   const LoadBalancerConfig& config)
    : hosts_(hosts),
      stats_(stats),
      panic_threshold_(std::min<std::uint32_t>(100, config.healthy_panic_threshold)),
      overprovisioning_factor_(config.overprovisioning_factor) {}

void PriorityLoadBalancerBase::refreshPriorityState() {
  // Envoy always has priority 0, even for an empty cluster.
  const std::size_t priorities = std::max<std::size_t>(1, hosts_.size());
  healthy_.resize(priorities);
  health_.assign(priorities, 0);
  load_.assign(priorities, 0);
  panic_.assign(priorities, 0);

  for (std::size_t p = 0; p < priorities; ++p) {
    HostVector& healthy = healthy_[p];
    healthy.clear();
    if (p >= hosts_.size()) {
      continue;
    }
    for (Host* host : hosts_[p]) {
      if (host->healthy()) {
        healthy.push_back(host);
      }
    }
    const std::uint64_t total = hosts_[p].size();
    if (total > 0) {
      health_[p] = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(100, overprovisioning_factor_ * healthy.size() / total));
    }
  }

  const std::uint32_t normalized_total =
      std::min<std::uint32_t>(100, std::accumulate(health_.begin(), health_.end(), 0U));

  if (normalized_total > 0) {
    // Distribute 100 % in priority order; rounding leftovers go to the first available priority.
    std::uint32_t remaining = 100;
    int first_available = -1;
    for (std::size_t p = 0; p < priorities; ++p) {
      if (first_available < 0 && health_[p] > 0) {
        first_available = static_cast<int>(p);
      }
      load_[p] = std::min(remaining, health_[p] * 100 / normalized_total);
      remaining -= load_[p];
    }
    load_[static_cast<std::size_t>(first_available)] += remaining;
  }

  // Panic is disabled and nothing is healthy: all load to P0, where no host will be found (503 UH).
  if (panic_threshold_ == 0 && normalized_total == 0) {
    load_[0] = 100;
    return;
  }

  bool total_panic = true;
  for (std::size_t p = 0; p < priorities; ++p) {
    bool panic = false;
    // A fully provisioned cluster never panics, however low one priority's health is.
    if (normalized_total != 100) {
      const std::size_t count = p < hosts_.size() ? hosts_[p].size() : 0;
      const double healthy_percent =
          count == 0 ? 0.0
                     : 100.0 * static_cast<double>(healthy_[p].size()) / static_cast<double>(count);
      panic = healthy_percent < static_cast<double>(panic_threshold_);
    }
    panic_[p] = panic ? 1 : 0;
    total_panic = total_panic && panic;
  }
  if (total_panic) {
    recalculateLoadInTotalPanic();
  }
}

// Every priority panics: load follows host counts, health ignored (§5.1).
void PriorityLoadBalancerBase::recalculateLoadInTotalPanic() {
  std::uint64_t total_hosts = 0;
  for (const HostVector& hosts : hosts_) {
    total_hosts += hosts.size();
  }
  std::fill(load_.begin(), load_.end(), 0);
  if (total_hosts == 0) {
    load_[0] = 100;
    return;
  }
  std::uint32_t remaining = 100;
  int first_nonempty = -1;
  for (std::size_t p = 0; p < hosts_.size(); ++p) {
    if (first_nonempty < 0 && !hosts_[p].empty()) {
      first_nonempty = static_cast<int>(p);
    }
    load_[p] = static_cast<std::uint32_t>(100 * hosts_[p].size() / total_hosts);
    remaining -= load_[p];
  }
  load_[static_cast<std::size_t>(first_nonempty)] += remaining;
}

std::uint32_t PriorityLoadBalancerBase::choosePriority(std::uint64_t hash) const {
  const std::uint64_t x = hash % 100 + 1;
  std::uint64_t cumulative = 0;
  for (std::size_t p = 0; p < load_.size(); ++p) {
    cumulative += load_[p];
    if (x <= cumulative) {
      return static_cast<std::uint32_t>(p);
    }
  }
  return 0;
}

PriorityLoadBalancerBase::HostSource PriorityLoadBalancerBase::hostSourceToUse(std::uint64_t hash) {
  HostSource source;
  source.priority = choosePriority(hash);
  if (panic_[source.priority] != 0) {
    stats_.lb_healthy_panic++;
    source.all_hosts = true;
  }
  return source;
}

const HostVector& PriorityLoadBalancerBase::hostSourceToHosts(HostSource source) const {
  if (source.all_hosts) {
    return source.priority < hosts_.size() ? hosts_[source.priority] : empty_;
  }
  return healthy_[source.priority];
}

}  // namespace meshsim::core
