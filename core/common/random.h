// Implements proxy-semantics.md §0.1 (the random port and its conventions).
#pragma once

#include <cstdint>
#include <limits>

namespace meshsim::core {

// The random port: a uniform 64-bit generator, one stream per entity so runs are reproducible.
// It satisfies UniformRandomBitGenerator. Policy code reduces draws the way Envoy does
// (`random() % n`, proxy-semantics.md §0.1), so results match Envoy draw for draw.
class RandomGenerator {
 public:
  using result_type = std::uint64_t;
  virtual ~RandomGenerator() = default;
  virtual std::uint64_t random() = 0;

  std::uint64_t operator()() { return random(); }
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
};

}  // namespace meshsim::core
