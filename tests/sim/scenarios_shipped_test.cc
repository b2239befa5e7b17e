#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <variant>

#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

const std::filesystem::path kScenarios =
    std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "scenarios";

std::vector<std::filesystem::path> shippedScenarios() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios)) {
    // Scenario files sit at the top; manifests and TLS cost profiles live in subfolders.
    if (entry.path().extension() == ".yaml") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The scenarios issue 4 asks for; a rename or a lost file fails here rather than in the docs.
TEST(ShippedScenariosTest, TheDocumentedSetIsShipped) {
  std::set<std::string> names;
  for (const auto& path : shippedScenarios()) {
    names.insert(path.stem().string());
  }
  for (const char* expected :
       {"bookinfo", "bookinfo-ratings-delay", "online-boutique", "social-network",
        "payment-circuit-breaker", "circuit-breaking", "canary-rollout", "retry-storm",
        "retry-storm-budget", "mtls-overhead", "mtls-overhead-no-mesh",
        "mtls-overhead-per-request-connections"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

// Loading and the Istio import (base policies and every fault manifest) must be silent: a
// shipped example that warns teaches users to ignore warnings.
TEST(ShippedScenariosTest, EveryScenarioLoadsAndImportsWithoutWarnings) {
  for (const auto& path : shippedScenarios()) {
    SCOPED_TRACE(path.string());
    config::Warnings warnings;
    Scenario scenario;
    ASSERT_NO_THROW(scenario = loadScenario(path.string(), {}, warnings));
    ScenarioPolicies policies;
    ASSERT_NO_THROW(policies = importScenarioPolicies(scenario, warnings));
    for (const auto& warning : warnings) {
      ADD_FAILURE() << warning.format();
    }
    EXPECT_EQ(scenario.name, path.stem().string()) << "name: should match the file name";
    ASSERT_EQ(policies.fault_routes.size(), scenario.faults.size());
    for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
      const bool swaps_routes =
          std::holds_alternative<TrafficSplitFault>(scenario.faults[i].action) ||
          std::holds_alternative<IstioFault>(scenario.faults[i].action);
      EXPECT_EQ(policies.fault_routes[i].has_value(), swaps_routes) << "fault " << i;
    }
  }
}

// Every scenario opens with a header comment (what it teaches, what to look at).
TEST(ShippedScenariosTest, EveryScenarioExplainsItself) {
  for (const auto& path : shippedScenarios()) {
    std::ifstream in(path);
    std::string header;
    for (std::string line; std::getline(in, line) && line.rfind('#', 0) == 0;) {
      header += line + "\n";
    }
    EXPECT_NE(header.find("What to"), std::string::npos) << path;
  }
}

// The scenarios must stay quick to run: a bound on simulated requests keeps each one to a few
// seconds of wall time at the engine's speed.
TEST(ShippedScenariosTest, EveryScenarioIsSmall) {
  for (const auto& path : shippedScenarios()) {
    config::Warnings warnings;
    const Scenario s = loadScenario(path.string(), {}, warnings);
    const double seconds = core::toSeconds(s.warmup + s.duration);
    EXPECT_LE(seconds, 150.0) << path;
    if (s.workload.kind == WorkloadKind::Open) {
      EXPECT_LE(s.workload.rate * seconds, 60000.0) << path;
    }
  }
}

TEST(ShippedScenariosTest, ClassicRatingsDelayLesson) {
  config::Warnings warnings;
  const Scenario s =
      loadScenario((kScenarios / "bookinfo-ratings-delay.yaml").string(), {}, warnings);
  const ScenarioPolicies policies = importScenarioPolicies(s, warnings);
  // Some, not all, requests are jason's.
  int jason = 0;
  for (const auto& entry : s.workload.mix) {
    for (const auto& [name, value] : entry.headers) {
      jason += name == "end-user" && value == "jason";
    }
  }
  EXPECT_EQ(jason, 1);
  EXPECT_EQ(s.workload.mix.size(), 2u);
  // productpage's budget for reviews (2 x 3 s) is below the injected 7 s.
  const OperationSpec& page = s.services[*s.findService("productpage")].versions[0].operations[0];
  const auto& reviews_call = page.calls[1].calls[0];
  EXPECT_LT((reviews_call.retries + 1) * reviews_call.timeout.value(), std::chrono::seconds(7));
}

}  // namespace
}  // namespace meshsim::sim
