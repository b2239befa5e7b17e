#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/engine/simulator.h"
#include "sim/random/random_stream.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// The links between zones (DESIGN.md "A hop A -> B", step 3): one-way delay = latency sample +
// jitter sample + serialisation (bytes * 8 / bandwidth); a message is lost with the link's loss
// probability (plus any injected loss); a partition drops everything between two zones.
class Network {
 public:
  Network(const NetworkSpec& spec, RandomStream random);

  // One-way delay of a message of `bytes` from zone a to zone b, or nullopt if it is lost.
  std::optional<Duration> deliver(Index from, Index to, std::uint64_t bytes);
  // Delay only (for messages that cannot be lost, e.g. inside one host).
  Duration delay(Index from, Index to, std::uint64_t bytes);

  void setPartitioned(Index a, Index b, bool partitioned);
  void setExtraLoss(Index a, Index b, double loss);
  bool partitioned(Index a, Index b) const { return state(a, b).partitioned; }

 private:
  struct PairState {
    bool partitioned = false;
    double extra_loss = 0;
  };
  PairState& state(Index a, Index b) { return state_[a * zones_ + b]; }
  const PairState& state(Index a, Index b) const { return state_[a * zones_ + b]; }

  const NetworkSpec& spec_;
  std::size_t zones_;
  RandomStream random_;
  std::vector<PairState> state_;
};

}  // namespace meshsim::sim
