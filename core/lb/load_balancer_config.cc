#include "core/lb/load_balancer_config.h"

#include <cmath>

namespace meshsim::core {
namespace {

bool isPrime(std::uint64_t n) {
  if (n < 2) {
    return false;
  }
  for (std::uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

// Limits are the proto constraints of the Envoy API (cluster.proto, least_request.proto,
// ring_hash.proto, maglev.proto).
std::vector<std::string> LoadBalancerConfig::validate() const {
  std::vector<std::string> errors;
  if (healthy_panic_threshold > 100) {
    errors.push_back("healthy_panic_threshold must be in [0, 100]");
  }
  if (overprovisioning_factor == 0) {
    errors.push_back("overprovisioning_factor must be > 0");
  }
  if (choice_count < 2) {
    errors.push_back("choice_count must be >= 2");
  }
  if (!(active_request_bias >= 0.0) || !std::isfinite(active_request_bias)) {
    errors.push_back("active_request_bias must be a finite value >= 0");
  }
  if (minimum_ring_size == 0 || maximum_ring_size > 8388608) {
    errors.push_back("ring sizes must satisfy 0 < minimum_ring_size, maximum_ring_size <= 8388608");
  }
  if (minimum_ring_size > maximum_ring_size) {
    errors.push_back("minimum_ring_size must not exceed maximum_ring_size");
  }
  if (maglev_table_size > 5000011 || !isPrime(maglev_table_size)) {
    errors.push_back("maglev_table_size must be a prime <= 5000011");
  }
  return errors;
}

}  // namespace meshsim::core
