// Golden runs: every shipped scenario, 20 simulated seconds with its own seed, must fire exactly
// the same event trace as when the value below was recorded. A change to the model that alters
// any timing or decision changes the fingerprint; when that is intended, re-record the value from
// the failure message (and say why in the commit).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "config/yaml_node.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

struct Golden {
  const char* scenario;
  std::uint64_t fingerprint;
  std::uint64_t events;
};

std::uint64_t runFingerprint(const std::string& name, std::uint64_t* events) {
  config::Warnings warnings;
  const Scenario scenario = loadScenario((std::filesystem::path(__FILE__).parent_path() / ".." /
                                          ".." / ".." / "scenarios" / (name + ".yaml"))
                                             .string(),
                                         {"duration=20s", "warmup=0s"}, warnings);
  const ScenarioPolicies policies = importScenarioPolicies(scenario, warnings);
  Mesh mesh(scenario, policies);
  mesh.run();
  *events = mesh.sim().eventsFired();
  return mesh.sim().fingerprint();
}

class GoldenFingerprintTest : public ::testing::TestWithParam<Golden> {};

TEST_P(GoldenFingerprintTest, ShippedScenarioReplaysTheRecordedTrace) {
  const Golden& golden = GetParam();
  std::uint64_t events = 0;
  const std::uint64_t fingerprint = runFingerprint(golden.scenario, &events);
  char recorded[96];
  std::snprintf(recorded, sizeof(recorded), "{\"%s\", 0x%016llxULL, %llu}", golden.scenario,
                static_cast<unsigned long long>(fingerprint),
                static_cast<unsigned long long>(events));
  EXPECT_EQ(events, golden.events) << "now: " << recorded;
  EXPECT_EQ(fingerprint, golden.fingerprint) << "now: " << recorded;
}

INSTANTIATE_TEST_SUITE_P(
    Shipped, GoldenFingerprintTest,
    ::testing::Values(Golden{"bookinfo", 0x419efef42e288b70ULL, 60101},
                      Golden{"bookinfo-ratings-delay", 0x705f818211b1f99dULL, 32933},
                      Golden{"circuit-breaking", 0xeec6cc3c5269c844ULL, 75058},
                      Golden{"canary-rollout", 0x9fb0a3629c164fe5ULL, 77442},
                      Golden{"mtls-overhead", 0xd61b76222f6c1546ULL, 283285},
                      Golden{"mtls-overhead-no-mesh", 0xd4ef8cf1f4390d2fULL, 283093},
                      Golden{"mtls-overhead-per-request-connections", 0x302b490a289c25d2ULL,
                             424477},
                      Golden{"online-boutique", 0xd6b81fff7083f556ULL, 89719},
                      Golden{"payment-circuit-breaker", 0xfa1f2fb56a888eacULL, 177689},
                      Golden{"retry-storm", 0x323dee48e93227a5ULL, 317171},
                      Golden{"retry-storm-budget", 0xf3999a4d1f4b5a48ULL, 326099},
                      Golden{"social-network", 0x6417518cba3efb8bULL, 354640}),
    [](const ::testing::TestParamInfo<Golden>& param_info) {
      std::string name = param_info.param.scenario;
      for (char& c : name) {
        if (c == '-')
          c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace meshsim::sim
