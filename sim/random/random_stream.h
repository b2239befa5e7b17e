#pragma once

#include <cstdint>
#include <string_view>

#include "core/common/random.h"

namespace meshsim::sim {

// SplitMix64's finaliser: a bijective 64-bit mixer (Steele, Lea & Flood 2014).
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A name-derived 64-bit key (FNV-1a, then mixed). Streams are keyed by entity *names* rather than
// creation order, so two scenario variants that share an entity share its randomness (common
// random numbers for A/B comparison).
constexpr std::uint64_t stableHash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  return mix64(h);
}

// One independent random stream per (seed, replication, entity, purpose) (DESIGN.md "Engine").
// The generator is xoshiro256** (Blackman & Vigna 2018); its state is filled by SplitMix64 from a
// key that mixes the four coordinates, so neighbouring coordinates give unrelated streams.
class RandomStream final : public core::RandomGenerator {
 public:
  RandomStream(std::uint64_t seed, std::uint64_t replication, std::uint64_t entity,
               std::uint64_t purpose);
  RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view entity,
               std::string_view purpose)
      : RandomStream(seed, replication, stableHash(entity), stableHash(purpose)) {}

  std::uint64_t random() override { return next(); }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform01() { return toUniform01(next()); }
  // Uniform on (0, 1): safe to take the logarithm of.
  double uniformOpen01() { return toUniformOpen01(next()); }

  // The maps from one 64-bit output to a double, public so that their extremes can be tested.
  static constexpr double toUniform01(std::uint64_t bits) {
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
  }
  // Midpoints of a 2^-52 grid, in [2^-53, 1 - 2^-53]. Only 52 bits: with 53, the top midpoint
  // 1 - 2^-54 is not a double and rounds to exactly 1.
  static constexpr double toUniformOpen01(std::uint64_t bits) {
    return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t s_[4];
};

}  // namespace meshsim::sim
