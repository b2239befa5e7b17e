#include "core/lb/locality_failover.h"

#include <array>
#include <utility>

namespace meshsim::core {

namespace {
constexpr std::uint32_t kFailoverLevels = 4;
}  // namespace

std::uint32_t localityFailoverPriority(const Locality& client, const Locality& endpoint) {
  if (client.region != endpoint.region) {
    return 3;
  }
  if (client.zone != endpoint.zone) {
    return 2;
  }
  return client.subzone == endpoint.subzone ? 0 : 1;
}

HostsPerPriority buildLocalityFailoverPriorities(const HostVector& hosts, const Locality& client) {
  std::array<HostVector, kFailoverLevels> levels;
  for (Host* host : hosts) {
    levels[localityFailoverPriority(client, host->locality())].push_back(host);
  }
  HostsPerPriority priorities;
  for (HostVector& level : levels) {
    if (!level.empty()) {
      priorities.push_back(std::move(level));
    }
  }
  if (priorities.empty()) {
    priorities.emplace_back();
  }
  return priorities;
}

}  // namespace meshsim::core
