// Implements proxy-semantics.md §5.6.
#pragma once

#include <cstdint>
#include <vector>

#include "core/lb/thread_aware_load_balancer_base.h"

namespace meshsim::core {

// One maglev lookup table (proxy-semantics §5.6; Eisenbud et al., NSDI'16, listing 1, with
// Envoy's weighted fill rounds).
class MaglevTable {
 public:
  MaglevTable() = default;
  MaglevTable(const NormalizedHostWeights& weights, std::uint64_t table_size);

  // table[h % M]; attempt i > 0 first XORs h with ~0 - i + 1 (many bits flipped, so retries
  // spread).
  Host* chooseHost(std::uint64_t hash, std::uint32_t attempt) const;

  std::size_t size() const { return table_.size(); }
  std::size_t entriesFor(const Host& host) const;

 private:
  std::vector<Host*> table_;
};

class MaglevLoadBalancer final : public ThreadAwareLoadBalancerBase {
 public:
  MaglevLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                     const LoadBalancerConfig& config);

  const MaglevTable& table(std::uint32_t priority) const { return tables_[priority]; }

 private:
  void buildTables(const std::vector<NormalizedHostWeights>& per_priority) override;
  Host* chooseFromTable(std::uint32_t priority, std::uint64_t hash,
                        std::uint32_t attempt) const override {
    return tables_[priority].chooseHost(hash, attempt);
  }

  const std::uint64_t table_size_;
  std::vector<MaglevTable> tables_;
};

}  // namespace meshsim::core
