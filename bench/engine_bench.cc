// Hold-model benchmark (DESIGN.md "Performance budget"): keep N events pending; each fired event
// schedules one more at now + Exp(mean 1 ms). The same loop on a bare std::priority_queue of
// (time, sequence) pairs runs beside it, so the engine's cost is read as a ratio on one machine.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "sim/engine/simulator.h"
#include "sim/random/random_stream.h"

namespace meshsim::sim {
namespace {

std::int64_t expNs(RandomStream& rng) {
  return static_cast<std::int64_t>(-1e6 * std::log(rng.uniformOpen01()));
}

struct HoldModel {
  Simulator sim;
  RandomStream rng{1, 0, "bench", "hold"};

  void onEvent() {
    sim.scheduleAfter(Duration(expNs(rng)), Event::member<&HoldModel::onEvent>(this));
  }
};

void BM_EngineHold(benchmark::State& state) {
  HoldModel model;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    model.onEvent();
  }
  for (auto _ : state) {
    model.sim.step();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BarePriorityQueueHold(benchmark::State& state) {
  using Entry = std::pair<std::int64_t, std::uint64_t>;  // (time, sequence)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  RandomStream rng{1, 0, "bench", "hold"};
  std::uint64_t sequence = 0;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    queue.emplace(expNs(rng), sequence++);
  }
  for (auto _ : state) {
    const std::int64_t now = queue.top().first;
    queue.pop();
    queue.emplace(now + expNs(rng), sequence++);
  }
  benchmark::DoNotOptimize(queue.top());
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_EngineHold)->Arg(1000)->Arg(100000);
BENCHMARK(BM_BarePriorityQueueHold)->Arg(1000)->Arg(100000);

}  // namespace
}  // namespace meshsim::sim

BENCHMARK_MAIN();
