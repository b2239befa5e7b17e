#include "sim/mesh/mesh_metrics.h"

namespace meshsim::sim {

void countFlags(std::array<std::uint64_t, 14>& counters, core::ResponseFlags flags) {
  if (flags == 0) {
    ++counters[13];
    return;
  }
  for (std::size_t bit = 0; bit < 13; ++bit) {
    if ((flags & (1u << bit)) != 0) {
      ++counters[bit];
    }
  }
}

}  // namespace meshsim::sim
