// End-to-end throughput of the mesh model (issue 4, "Speed and memory"): the shipped Bookinfo
// scenario, sidecars and mTLS on, simulated for a fixed span of simulated time per iteration.
// items_per_second = end-to-end requests simulated per wall second; the peak-RSS counter is the
// process's high-water mark (VmHWM) after the run.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

#include "config/yaml_node.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

double peakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      double kib = 0;
      status >> kib;
      return kib / 1024.0;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

void runBookinfo(benchmark::State& state, const std::vector<std::string>& overrides) {
  config::Warnings warnings;
  const Scenario scenario = loadScenario(
      std::string(MESHSIM_SOURCE_DIR) + "/scenarios/bookinfo.yaml", overrides, warnings);
  const ScenarioPolicies policies = importScenarioPolicies(scenario, warnings);
  std::uint64_t requests = 0;
  std::uint64_t events = 0;
  for (auto _ : state) {
    Mesh mesh(scenario, policies);
    mesh.run();
    requests += mesh.metrics().requests;
    events += mesh.sim().eventsFired();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(requests));
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["peak_rss_mib"] = peakRssMiB();
}

// 1,000 rps for 60 simulated seconds (no warm-up) per iteration.
void BM_BookinfoThroughput(benchmark::State& state) {
  runBookinfo(state, {"workload.rate=1000", "duration=60s", "warmup=0s"});
}

// One simulated hour at 1,000 rps: the memory budget (peak RSS) of a long run.
void BM_BookinfoOneHourAt1000Rps(benchmark::State& state) {
  runBookinfo(state, {"workload.rate=1000", "duration=3600s", "warmup=0s"});
}

BENCHMARK(BM_BookinfoThroughput)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BookinfoOneHourAt1000Rps)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace meshsim::sim

BENCHMARK_MAIN();
