#include "sim/analysis/queueing.h"

#include <cmath>
#include <limits>

namespace meshsim::sim {

double erlangC(std::uint32_t servers, double offered_load) {
  if (servers == 0) {
    return 1.0;
  }
  if (offered_load <= 0) {
    return 0.0;
  }
  const double rho = offered_load / servers;
  if (rho >= 1.0) {
    return 1.0;
  }
  double blocking = 1.0;
  for (std::uint32_t k = 1; k <= servers; ++k) {
    blocking = offered_load * blocking / (k + offered_load * blocking);
  }
  return blocking / (1.0 - rho * (1.0 - blocking));
}

MmcMetrics mmcQueue(double arrival_rate, double mean_service, std::uint32_t servers) {
  MmcMetrics out;
  const double offered = arrival_rate * mean_service;
  out.utilization = servers == 0 ? std::numeric_limits<double>::infinity() : offered / servers;
  out.wait_probability = erlangC(servers, offered);
  if (out.utilization >= 1.0) {
    out.mean_wait = std::numeric_limits<double>::infinity();
  } else if (arrival_rate > 0 && mean_service > 0) {
    const double service_rate = 1.0 / mean_service;
    out.mean_wait = out.wait_probability / (servers * service_rate - arrival_rate);
  }
  out.mean_response = out.mean_wait + mean_service;
  return out;
}

double expectedAttempts(double failure_probability, std::uint32_t retries) {
  const double p = failure_probability;
  if (p <= 0) {
    return 1.0;
  }
  if (p >= 1) {
    return retries + 1.0;
  }
  return (1.0 - std::pow(p, retries + 1.0)) / (1.0 - p);
}

}  // namespace meshsim::sim
