// Implements proxy-semantics.md §5.5.
#pragma once

#include <cstdint>
#include <vector>

#include "core/lb/thread_aware_load_balancer_base.h"

namespace meshsim::core {

// One ketama-style ring (proxy-semantics §5.5): entries xxHash64("<address>_<i>") sorted by hash.
class RingHashTable {
 public:
  RingHashTable() = default;
  RingHashTable(const NormalizedHostWeights& weights, std::uint64_t min_ring_size,
                std::uint64_t max_ring_size);

  // Smallest entry with hash >= h, wrapping to entry 0; attempt i > 0 moves i entries on.
  Host* chooseHost(std::uint64_t hash, std::uint32_t attempt) const;

  std::size_t size() const { return ring_.size(); }
  // Ring entries owned by `host` (tests check the weight proportion).
  std::size_t entriesFor(const Host& host) const;

 private:
  struct Entry {
    std::uint64_t hash;
    Host* host;
  };
  std::vector<Entry> ring_;
};

class RingHashLoadBalancer final : public ThreadAwareLoadBalancerBase {
 public:
  RingHashLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                       const LoadBalancerConfig& config);

  const RingHashTable& table(std::uint32_t priority) const { return tables_[priority]; }

 private:
  void buildTables(const std::vector<NormalizedHostWeights>& per_priority) override;
  Host* chooseFromTable(std::uint32_t priority, std::uint64_t hash,
                        std::uint32_t attempt) const override {
    return tables_[priority].chooseHost(hash, attempt);
  }

  const std::uint64_t min_ring_size_;
  const std::uint64_t max_ring_size_;
  std::vector<RingHashTable> tables_;
};

}  // namespace meshsim::core
