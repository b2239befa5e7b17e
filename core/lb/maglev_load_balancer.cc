#include "core/lb/maglev_load_balancer.h"

#include <algorithm>
#include <string_view>

#include "core/lb/xxhash64.h"

namespace meshsim::core {
namespace {

struct BuildEntry {
  std::string_view key;
  Host* host;
  double weight;
  std::uint64_t offset = 0;
  std::uint64_t skip = 0;
  std::uint64_t next = 0;
  double target_weight = 0.0;
};

}  // namespace

MaglevTable::MaglevTable(const NormalizedHostWeights& weights, std::uint64_t table_size) {
  if (weights.hosts.empty() || table_size < 2) {
    return;
  }
  std::vector<BuildEntry> entries;
  entries.reserve(weights.hosts.size());
  for (const auto& [host, weight] : weights.hosts) {
    entries.push_back(BuildEntry{host->address(), host, weight});
  }
  // Sorting by key makes the table independent of the order hosts were discovered in.
  std::sort(entries.begin(), entries.end(), [](const BuildEntry& a, const BuildEntry& b) {
    return a.key < b.key || (a.key == b.key && a.host < b.host);
  });
  for (BuildEntry& entry : entries) {
    entry.offset = xxHash64(entry.key) % table_size;
    entry.skip = xxHash64(entry.key, 1) % (table_size - 1) + 1;
  }

  // Round t: a host places an entry only once t·w has caught up with its target, so a host of
  // weight max/k places one entry every k rounds.
  table_.assign(table_size, nullptr);
  std::uint64_t filled = 0;
  for (std::uint64_t round = 1; filled < table_size; ++round) {
    for (std::size_t i = 0; i < entries.size() && filled < table_size; ++i) {
      BuildEntry& entry = entries[i];
      if (static_cast<double>(round) * entry.weight < entry.target_weight) {
        continue;
      }
      entry.target_weight += weights.max_weight;
      std::uint64_t c = (entry.offset + entry.skip * entry.next) % table_size;
      while (table_[c] != nullptr) {
        ++entry.next;
        c = (entry.offset + entry.skip * entry.next) % table_size;
      }
      table_[c] = entry.host;
      ++entry.next;
      ++filled;
    }
  }
}

Host* MaglevTable::chooseHost(std::uint64_t hash, std::uint32_t attempt) const {
  if (table_.empty()) {
    return nullptr;
  }
  if (attempt > 0) {
    hash ^= ~0ULL - attempt + 1;
  }
  return table_[hash % table_.size()];
}

std::size_t MaglevTable::entriesFor(const Host& host) const {
  return static_cast<std::size_t>(std::count(table_.begin(), table_.end(), &host));
}

MaglevLoadBalancer::MaglevLoadBalancer(const HostsPerPriority& hosts, ClusterStats& stats,
                                       const LoadBalancerConfig& config)
    : ThreadAwareLoadBalancerBase(hosts, stats, config), table_size_(config.maglev_table_size) {
  refresh();
}

void MaglevLoadBalancer::buildTables(const std::vector<NormalizedHostWeights>& per_priority) {
  tables_.clear();
  tables_.reserve(per_priority.size());
  for (const NormalizedHostWeights& weights : per_priority) {
    tables_.emplace_back(weights, table_size_);
  }
}

}  // namespace meshsim::core
