#include "sim/mesh/network.h"

namespace meshsim::sim {

Network::Network(const NetworkSpec& spec, RandomStream random)
    : spec_(spec),
      zones_(spec.zone_count == 0 ? 1 : spec.zone_count),
      random_(random),
      state_(zones_ * zones_) {}

Duration Network::delay(Index from, Index to, std::uint64_t bytes) {
  const LinkSpec& link = spec_.between(from, to);
  double seconds = link.latency->sample(random_);
  if (link.jitter) {
    seconds += link.jitter->sample(random_);
  }
  if (link.bandwidth_bps > 0) {
    seconds += static_cast<double>(bytes) * 8.0 / link.bandwidth_bps;
  }
  return core::fromSeconds(seconds < 0 ? 0 : seconds);
}

std::optional<Duration> Network::deliver(Index from, Index to, std::uint64_t bytes) {
  const PairState& pair = state(from, to);
  if (pair.partitioned) {
    return std::nullopt;
  }
  const double loss = spec_.between(from, to).loss + pair.extra_loss;
  // Draw the loss coin only when loss is possible, so lossless scenarios keep their streams
  // aligned with variants that differ elsewhere (common random numbers).
  if (loss > 0 && random_.uniform01() < loss) {
    return std::nullopt;
  }
  return delay(from, to, bytes);
}

void Network::setPartitioned(Index a, Index b, bool partitioned) {
  state(a, b).partitioned = partitioned;
  state(b, a).partitioned = partitioned;
}

void Network::setExtraLoss(Index a, Index b, double loss) {
  state(a, b).extra_loss = loss;
  state(b, a).extra_loss = loss;
}

}  // namespace meshsim::sim
