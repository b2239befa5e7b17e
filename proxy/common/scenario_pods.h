#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.h"

namespace meshsim::proxy {

// One replica of a scenario's service version: a pod, as the simulator names and places it.
struct PodRef {
  std::string name;  // sim::podName: "<service>-<version>-<replica>"
  sim::Index service = 0;
  sim::Index version = 0;
  sim::Index replica = 0;
  sim::Index zone = 0;
};

// Every pod of the scenario in the simulator's order (services, versions, replicas), which is
// also the order endpoints are listed in (round robin starts from the same host).
std::vector<PodRef> scenarioPods(const sim::Scenario& scenario);
std::optional<PodRef> findPod(const sim::Scenario& scenario, std::string_view name);

// meshproxy speaks HTTP/1.1 over plain TCP and its test service runs error, latency and
// slow-replica faults only: a scenario asking for more cannot run for real. Returns one message per
// problem.
std::vector<std::string> realMeshLimitations(const sim::Scenario& scenario);

}  // namespace meshsim::proxy
