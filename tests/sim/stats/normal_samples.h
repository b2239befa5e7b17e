#pragma once

#include <cmath>
#include <numbers>

#include "sim/random/random_stream.h"

namespace meshsim::sim::testing {

// Standard normal draws (Box–Muller) from a seeded stream, so statistical tests are deterministic.
inline double standardNormal(RandomStream& rng) {
  const double u1 = rng.uniformOpen01();
  const double u2 = rng.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace meshsim::sim::testing
