#include "core/lb/ring_hash_load_balancer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/lb/xxhash64.h"

namespace meshsim::core {

RingHashTable::RingHashTable(const NormalizedHostWeights& weights, std::uint64_t min_ring_size,
                             std::uint64_t max_ring_size) {
  if (weights.hosts.empty()) {
    return;
  }
  // Enough entries that the lightest host still gets ceil(min_w·min_ring) of them, capped.
  const double scale = std::min(
      std::ceil(weights.min_weight * static_cast<double>(min_ring_size)) / weights.min_weight,
      static_cast<double>(max_ring_size));
  ring_.reserve(static_cast<std::size_t>(std::ceil(scale)));

  // Running totals over the whole host set keep the ring size close to `scale` overall.
  double current = 0.0;
  double target = 0.0;
  std::string key;
  for (const auto& [host, weight] : weights.hosts) {
    target += scale * weight;
    std::uint64_t i = 0;
    while (current < target) {
      key.assign(host->address());
      key.push_back('_');
      key.append(std::to_string(i));
      ring_.push_back(Entry{xxHash64(key), host});
      ++i;
      current += 1.0;
    }
  }
  std::sort(ring_.begin(), ring_.end(),
            [](const Entry& a, const Entry& b) { return a.hash < b.hash; });
}

Host* RingHashTable::chooseHost(std::uint64_t hash, std::uint32_t attempt) const {
  if (ring_.empty()) {
    return nullptr;
  }
  // Ketama's binary search (as Envoy ports it): the entry whose (previous, own] hash range holds h;
  // anything beyond the last entry wraps to 0.
  const auto size = static_cast<std::int64_t>(ring_.size());
  std::int64_t low = 0;
  std::int64_t high = size;
  std::int64_t mid = 0;
  while (true) {
    mid = (low + high) / 2;
    if (mid == size) {
      mid = 0;
      break;
    }
    const std::uint64_t mid_value = ring_[static_cast<std::size_t>(mid)].hash;
    const std::uint64_t prev_value = mid == 0 ? 0 : ring_[static_cast<std::size_t>(mid - 1)].hash;
    if (hash <= mid_value && hash > prev_value) {
      break;
    }
    if (mid_value < hash) {
      low = mid + 1;
    } else {
      high = mid - 1;
    }
    if (low > high) {
      mid = 0;
      break;
    }
  }
  // A retry behaves as if the chosen entry were not on the ring; it may still land on the same
  // host through another of its entries.
  auto index = static_cast<std::uint64_t>(mid);
  if (attempt > 0) {
    index = (index + attempt) % ring_.size();
  }
  return ring_[index].host;
}

std::size_t RingHashTable::entriesFor(const Host& host) const {
  return static_cast<std::size_t>(std::count_if(
      ring_.begin(), ring_.end(), [&host](const Entry& e) { return e.host == &host; }));
}

RingHashLoadBalancer::RingHashLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                                           const LoadBalancerConfig& config)
    : ThreadAwareLoadBalancerBase(hosts, stats, config),
      min_ring_size_(config.minimum_ring_size),
      max_ring_size_(config.maximum_ring_size) {
  refresh();
}

void RingHashLoadBalancer::buildTables(const std::vector<NormalizedHostWeights>& per_priority) {
  tables_.clear();
  tables_.reserve(per_priority.size());
  for (const NormalizedHostWeights& weights : per_priority) {
    tables_.emplace_back(weights, min_ring_size_, max_ring_size_);
  }
}

}  // namespace meshsim::core
