#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/stats/latency_histogram.h"

namespace meshsim::proxy {

// What the load generator saw, counted like the simulator's end-to-end metrics: a request
// succeeds when it gets a non-5xx response.
struct LoadResult {
  std::uint64_t sent = 0;
  std::uint64_t requests = 0;  // completed (with a response or an error)
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t unanswered = 0;  // still in flight when the drain deadline passed
  bool interrupted = false;      // SIGINT/SIGTERM ended the load early
  sim::LatencyHistogram latency;
};

struct LoadOptions {
  double rate = 0;  // requests per second, Poisson (or constant) arrivals
  std::chrono::nanoseconds duration{0};
  std::chrono::nanoseconds drain{std::chrono::seconds(10)};
  std::uint64_t seed = 1;
};

// The scenario's open-loop workload for real: arrivals at `rate` (exponential gaps for poisson,
// fixed for constant) for `duration`, each request picked from the mix by weight and sent on a
// new connection to one of the entry service's sidecars chosen at random (what the simulator's
// pass-through client does). `entry_points[s]` lists service s's inbound listeners. Returns after
// every request has finished or the drain time is over; `stop()`ped early by SIGINT/SIGTERM.
LoadResult driveLoad(const sim::Scenario& scenario,
                     const std::vector<std::vector<boost::asio::ip::tcp::endpoint>>& entry_points,
                     const LoadOptions& options);

}  // namespace meshsim::proxy
