#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/lb/load_balancer.h"
#include "core/upstream/host.h"

namespace meshsim::core {

// Hosts "10.0.0.<i+1>:80" with the given weights, all in priority 0 unless moved.
struct TestHosts {
  explicit TestHosts(const std::vector<std::uint32_t>& weights) {
    for (std::uint32_t i = 0; i < weights.size(); ++i) {
      owned.push_back(
          std::make_unique<Host>(i, "10.0.0." + std::to_string(i + 1) + ":80", weights[i]));
    }
    priorities.emplace_back();
    for (auto& host : owned) {
      priorities[0].push_back(host.get());
    }
  }
  static TestHosts equal(std::size_t n) { return TestHosts(std::vector<std::uint32_t>(n, 1)); }

  Host& operator[](std::size_t i) { return *owned[i]; }

  std::vector<std::unique_ptr<Host>> owned;
  HostsPerPriority priorities;
};

}  // namespace meshsim::core
