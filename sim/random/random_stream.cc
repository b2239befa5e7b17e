#include "sim/random/random_stream.h"

namespace meshsim::sim {

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t replication, std::uint64_t entity,
                           std::uint64_t purpose) {
  // Nest the mixes so that every coordinate passes through the full avalanche of the next one.
  std::uint64_t key = mix64(seed ^ mix64(replication ^ mix64(entity ^ mix64(purpose))));
  for (std::uint64_t& word : s_) {
    key += 0x9e3779b97f4a7c15ULL;
    word = mix64(key);
  }
}

}  // namespace meshsim::sim
