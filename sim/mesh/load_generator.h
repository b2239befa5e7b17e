#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/simulator.h"
#include "sim/mesh/app_call.h"
#include "sim/random/random_stream.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

class Mesh;
struct Workload;

// The synthetic clients (DESIGN.md "Workloads"): open loop (Poisson, constant, bursty on/off,
// piecewise rate schedule) or closed loop (users with think time), each request aimed at an entry
// point drawn from the request mix. It sits outside the mesh, without a sidecar, and measures
// end-to-end latency and success.
class LoadGenerator final : public CallOwner {
 public:
  LoadGenerator(Mesh& mesh, Workload& client);
  void start();
  void onCallDone(AppCall& call, bool ok) override;
  // End-to-end requests issued and not answered yet.
  std::uint32_t inFlight() const { return in_flight_; }

 private:
  double currentRate() const;
  void scheduleNextArrival();
  void onArrival();
  void onRateChange();
  void onUserWake(std::uint64_t user);
  void issue(std::uint64_t user);

  Mesh& mesh_;
  Workload& client_;
  const WorkloadSpec& spec_;
  RandomStream arrivals_;
  RandomStream mix_;
  RandomStream think_;
  EventId next_arrival_;
  std::size_t schedule_step_ = 0;
  bool bursty_on_ = true;
  std::uint32_t in_flight_ = 0;
};

}  // namespace meshsim::sim
