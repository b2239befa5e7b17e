#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/simulator.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

class Mesh;
struct Workload;

// The scenario's faults on the simulated clock (DESIGN.md "Faults"): each starts at `at` and, if
// it has an `until`, is undone then. Crashed replicas leave their clients' endpoint lists shortly
// after dying and rejoin after restarting, as Kubernetes readiness would make them.
class FaultTimeline {
 public:
  // How long a dead or restarted pod takes to leave or rejoin the endpoints (readiness probe).
  static constexpr Duration kEndpointUpdateDelay = std::chrono::seconds(1);

  explicit FaultTimeline(Mesh& mesh);
  void schedule();

 private:
  void onStart(std::uint64_t index);
  void onEnd(std::uint64_t index);
  void apply(std::size_t index, bool start);
  void onEndpointUpdate(std::uint64_t encoded);
  std::vector<Workload*> targets(const FaultTarget& target);

  Mesh& mesh_;
};

}  // namespace meshsim::sim
